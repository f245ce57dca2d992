-- Lead lists (issue 12): named lists of a workspace (campaigns), each with its calling settings.
-- Every member of the workspace reads its lists; only the server writes them (createLeadList,
-- updateLeadList, archiveLeadList, for admins and managers). A list is never deleted, only
-- archived, so history that names it keeps its meaning; an archived list takes no new leads.

-- The country a number without `+` is read in (ISO 3166-1 alpha-2), unless an import says otherwise.
alter table workspaces add column default_country text not null default 'US'
  constraint workspaces_default_country_iso check (default_country ~ '^[A-Z]{2}$');

create table lead_lists (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id), -- filled from user_email (dialer_fill_workspace)
  user_email text not null, -- who created it
  name text not null check (length(name) between 1 and 200),
  caller_id text check (caller_id ~ '^\+[1-9][0-9]{6,14}$'),
  amd_enabled boolean not null default false,
  recording_enabled boolean not null default false,
  voicemail_action text not null default 'hangup' check (voicemail_action in ('hangup', 'leave')),
  voicemail_message text check (length(voicemail_message) between 1 and 2000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  archived_at timestamptz,
  -- The target of leads' (list_id, workspace_id) key: a lead's list is in the lead's workspace.
  unique (id, workspace_id)
);
-- One live list of a name per workspace, letter case aside; an archived list frees its name.
create unique index lead_lists_live_name on lead_lists (workspace_id, lower(name)) where archived_at is null;
create index lead_lists_workspace on lead_lists (workspace_id, created_at);

create trigger lead_lists_fill_workspace before insert on lead_lists
  for each row execute function dialer_fill_workspace();

alter table lead_lists enable row level security;
create policy member_reads on lead_lists for select to authenticated
  using (workspace_id = (select dialer_member_workspace()));
grant select on lead_lists to authenticated;
grant all on lead_lists to service_role;

-- A lead belongs to at most one list, of its own workspace (the composite key says so, so no
-- writer can put a lead in another workspace's list). Deleting a list (which the product never
-- does; it archives) would leave its leads in no list.
alter table leads add column list_id uuid;
alter table leads add constraint leads_list_same_workspace foreign key (list_id, workspace_id)
  references lead_lists (id, workspace_id) on delete set null (list_id);
create index leads_list on leads (list_id, created_at desc) where list_id is not null;

-- Duplicates are the same E.164 number in the same workspace (imports look leads up by it).
create index leads_workspace_phone on leads (workspace_id, phone);
