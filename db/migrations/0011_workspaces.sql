-- Workspaces: a sales team is one workspace of admins, managers and reps. Every row of the
-- product belongs to a workspace (filled in from its owner's membership), and who may read it
-- is one rule, said here once as SQL policy functions and mirrored by realtime
-- (src/realtime/authorize.ts, with a property test that both agree):
--   a member sees the rows of their own workspace that are theirs (user_email), and an admin or
--   a manager sees every row of their workspace; a deactivated member sees nothing; nothing
--   crosses workspaces.

create table workspaces (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  created_at timestamptz not null default now()
);

create table workspace_members (
  user_id uuid primary key references auth.users (id) on delete cascade,
  user_email text not null unique,
  workspace_id uuid not null references workspaces (id),
  role text not null check (role in ('admin', 'manager', 'rep')),
  is_active boolean not null default true,
  deactivated_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index workspace_members_workspace on workspace_members (workspace_id);

-- An invitation is a single-use, expiring token; only its hash is kept.
create table workspace_invitations (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id),
  user_email text, -- the inviter
  invitee_email text check (invitee_email is null or invitee_email = lower(invitee_email)),
  role text not null check (role in ('admin', 'manager', 'rep')),
  token_hash text not null unique,
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null,
  revoked_at timestamptz,
  created_at timestamptz not null default now()
);
create index workspace_invitations_workspace on workspace_invitations (workspace_id, created_at desc);

-- Who did what to whom: role changes, invitations, deactivations, a manager ending a rep's call.
create table audit_log (
  id bigint generated always as identity primary key,
  workspace_id uuid not null references workspaces (id),
  user_email text not null, -- who acted
  action text not null,
  target text,
  details jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index audit_log_workspace on audit_log (workspace_id, created_at desc);

-- Each member's state for the floor. The state is derived (dialer_sync_rep_state) from what the
-- server knows: live lines, an unsaved wrap-up, the rep's own away flag, and whether any client
-- of theirs is connected (realtime presence).
create table rep_states (
  user_email text primary key,
  workspace_id uuid not null references workspaces (id),
  state text not null default 'offline' check (state in ('offline', 'available', 'on_call', 'wrap_up', 'away')),
  live_lines integer not null default 0 check (live_lines between 0 and 3),
  state_since timestamptz not null default now(),
  is_away boolean not null default false,
  is_wrap_up boolean not null default false,
  updated_at timestamptz not null default now()
);

-- Every state a member entered, for time-in-state reports (a state lasts until the next row).
create table rep_state_log (
  id bigint generated always as identity primary key,
  user_email text not null,
  workspace_id uuid not null references workspaces (id),
  state text not null,
  live_lines integer not null,
  entered_at timestamptz not null default now()
);
create index rep_state_log_user on rep_state_log (user_email, entered_at);
create index rep_state_log_workspace on rep_state_log (workspace_id, entered_at);

-- Realtime presence: which server process holds a connected client of which member. A process
-- heartbeats its row; a process that died stops, and its members go offline when another
-- process removes it.
create table realtime_instances (
  instance_id uuid primary key,
  heartbeat_at timestamptz not null default now()
);
create table realtime_presence (
  instance_id uuid not null references realtime_instances (instance_id) on delete cascade,
  user_email text not null,
  primary key (instance_id, user_email)
);
create index realtime_presence_user on realtime_presence (user_email);

-- How long a process may go without a heartbeat before its clients count as gone.
create function dialer_presence_timeout() returns interval language sql immutable as $$ select interval '30 seconds' $$;

-- Existing data moves over: every user becomes the admin of a workspace of their own; rows whose
-- owner has no account keep a workspace of their own too, so nothing is lost.
create temporary table owner_workspaces on commit drop as
  select email as user_email, gen_random_uuid() as workspace_id from (
    select email from auth.users
    union select user_email from leads
    union select user_email from active_calls
    union select user_email from call_logs
    union select user_email from user_stats
    union select user_email from dialer_settings
    union select user_email from do_not_call_numbers
  ) owners;
insert into workspaces (id, name)
  select workspace_id, split_part(user_email, '@', 1) || '''s workspace' from owner_workspaces;
insert into workspace_members (user_id, user_email, workspace_id, role)
  select u.id, u.email, o.workspace_id, 'admin' from auth.users u join owner_workspaces o on o.user_email = u.email;
insert into rep_states (user_email, workspace_id)
  select user_email, workspace_id from workspace_members;

alter table leads add column workspace_id uuid references workspaces (id);
alter table active_calls add column workspace_id uuid references workspaces (id);
alter table call_logs add column workspace_id uuid references workspaces (id);
alter table user_stats add column workspace_id uuid references workspaces (id);
alter table dialer_settings add column workspace_id uuid references workspaces (id);
alter table do_not_call_numbers add column workspace_id uuid references workspaces (id);
-- The backfill changes nothing but workspace_id: the tables' own triggers (updated_at, the status
-- machine, change notifications) stay out of it, so every other field keeps its value.
alter table leads disable trigger user;
alter table active_calls disable trigger user;
alter table call_logs disable trigger user;
alter table user_stats disable trigger user;
alter table dialer_settings disable trigger user;
alter table do_not_call_numbers disable trigger user;
update leads t set workspace_id = o.workspace_id from owner_workspaces o where o.user_email = t.user_email;
update active_calls t set workspace_id = o.workspace_id from owner_workspaces o where o.user_email = t.user_email;
update call_logs t set workspace_id = o.workspace_id from owner_workspaces o where o.user_email = t.user_email;
update user_stats t set workspace_id = o.workspace_id from owner_workspaces o where o.user_email = t.user_email;
update dialer_settings t set workspace_id = o.workspace_id from owner_workspaces o where o.user_email = t.user_email;
update do_not_call_numbers t set workspace_id = o.workspace_id from owner_workspaces o where o.user_email = t.user_email;
alter table leads enable trigger user;
alter table active_calls enable trigger user;
alter table call_logs enable trigger user;
alter table user_stats enable trigger user;
alter table dialer_settings enable trigger user;
alter table do_not_call_numbers enable trigger user;
alter table leads alter column workspace_id set not null;
alter table active_calls alter column workspace_id set not null;
alter table call_logs alter column workspace_id set not null;
alter table user_stats alter column workspace_id set not null;
alter table dialer_settings alter column workspace_id set not null;
alter table do_not_call_numbers alter column workspace_id set not null;
create index leads_workspace on leads (workspace_id, created_at desc);
create index active_calls_workspace_live on active_calls (workspace_id) where status in ('dialing', 'ringing', 'in-progress');
create index call_logs_workspace on call_logs (workspace_id, ended_at desc);

-- A row's workspace is its owner's: writers name the owner, the database fills in the workspace,
-- so no writer (and no client) can place a row in another workspace.
create function dialer_fill_workspace() returns trigger language plpgsql security definer
set search_path = public, pg_temp as $$
begin
  select workspace_id into new.workspace_id from workspace_members where user_email = new.user_email;
  if new.workspace_id is null then
    raise exception 'no workspace member with email %', new.user_email using errcode = '23503';
  end if;
  return new;
end $$;
create trigger leads_fill_workspace before insert or update of user_email on leads
  for each row execute function dialer_fill_workspace();
create trigger active_calls_fill_workspace before insert on active_calls
  for each row execute function dialer_fill_workspace();
create trigger call_logs_fill_workspace before insert on call_logs
  for each row execute function dialer_fill_workspace();
create trigger user_stats_fill_workspace before insert on user_stats
  for each row execute function dialer_fill_workspace();
create trigger dialer_settings_fill_workspace before insert on dialer_settings
  for each row execute function dialer_fill_workspace();
create trigger do_not_call_numbers_fill_workspace before insert on do_not_call_numbers
  for each row execute function dialer_fill_workspace();

-- The policy functions. Row-level security calls them as `(select ...)`, so each is evaluated
-- once per statement, not per row.
create function dialer_member_workspace() returns uuid language sql stable security definer
set search_path = public, pg_temp as $$
  select workspace_id from workspace_members where user_email = auth.email() and is_active
$$;
create function dialer_member_role() returns text language sql stable security definer
set search_path = public, pg_temp as $$
  select role from workspace_members where user_email = auth.email() and is_active
$$;
-- Whether the caller sees every row of their workspace (admins and managers) or only their own.
create function dialer_member_sees_workspace() returns boolean language sql stable security definer
set search_path = public, pg_temp as $$
  select coalesce((select role in ('admin', 'manager') from workspace_members where user_email = auth.email() and is_active), false)
$$;
grant execute on function dialer_member_workspace(), dialer_member_role(), dialer_member_sees_workspace() to anon, authenticated, service_role;

drop policy own_leads on leads;
drop policy own_calls_read on active_calls;
drop policy own_history_read on call_logs;
drop policy own_stats on user_stats;
drop policy own_settings on dialer_settings;
drop policy own_do_not_call on do_not_call_numbers;

create policy member_reads on leads for select to authenticated
  using (workspace_id = (select dialer_member_workspace()) and (user_email = (select auth.email()) or (select dialer_member_sees_workspace())));
create policy member_reads on active_calls for select to authenticated
  using (workspace_id = (select dialer_member_workspace()) and (user_email = (select auth.email()) or (select dialer_member_sees_workspace())));
create policy member_reads on call_logs for select to authenticated
  using (workspace_id = (select dialer_member_workspace()) and (user_email = (select auth.email()) or (select dialer_member_sees_workspace())));
create policy member_reads on user_stats for select to authenticated
  using (workspace_id = (select dialer_member_workspace()) and (user_email = (select auth.email()) or (select dialer_member_sees_workspace())));
create policy member_reads on dialer_settings for select to authenticated
  using (workspace_id = (select dialer_member_workspace()) and (user_email = (select auth.email()) or (select dialer_member_sees_workspace())));
create policy member_reads on do_not_call_numbers for select to authenticated
  using (workspace_id = (select dialer_member_workspace()) and (user_email = (select auth.email()) or (select dialer_member_sees_workspace())));

-- A rep adds, edits and deletes their own leads (contact fields only, as migration 0007 grants).
create policy own_leads_insert on leads for insert to authenticated
  with check (user_email = (select auth.email()) and (select dialer_member_workspace()) is not null);
create policy own_leads_update on leads for update to authenticated
  using (user_email = (select auth.email()) and workspace_id = (select dialer_member_workspace()))
  with check (user_email = (select auth.email()));
create policy own_leads_delete on leads for delete to authenticated
  using (user_email = (select auth.email()) and workspace_id = (select dialer_member_workspace()));

alter table workspaces enable row level security;
alter table workspace_members enable row level security;
alter table workspace_invitations enable row level security;
alter table audit_log enable row level security;
alter table rep_states enable row level security;
alter table rep_state_log enable row level security;
alter table realtime_instances enable row level security;
alter table realtime_presence enable row level security;

create policy member_reads on workspaces for select to authenticated
  using (id = (select dialer_member_workspace()));
create policy member_reads on workspace_members for select to authenticated
  using (workspace_id = (select dialer_member_workspace()) and (user_email = (select auth.email()) or (select dialer_member_sees_workspace())));
create policy member_reads on rep_states for select to authenticated
  using (workspace_id = (select dialer_member_workspace()) and (user_email = (select auth.email()) or (select dialer_member_sees_workspace())));
create policy member_reads on rep_state_log for select to authenticated
  using (workspace_id = (select dialer_member_workspace()) and (user_email = (select auth.email()) or (select dialer_member_sees_workspace())));
-- Invitations and the audit log: admins only.
create policy admin_reads on workspace_invitations for select to authenticated
  using (workspace_id = (select dialer_member_workspace()) and (select dialer_member_role()) = 'admin');
create policy admin_reads on audit_log for select to authenticated
  using (workspace_id = (select dialer_member_workspace()) and (select dialer_member_role()) = 'admin');

-- Clients read; every write goes through the server (functions, triggers).
-- An admin may read token_hash: it is the SHA-256 of 256 random bits, which signs nobody up, and a
-- whole-table grant lets REST's `select=*` work for invitations as for every other table.
grant select on workspaces, workspace_members, workspace_invitations, rep_states, rep_state_log, audit_log to authenticated;
grant all on workspaces, workspace_members, workspace_invitations, audit_log, rep_states, rep_state_log,
  realtime_instances, realtime_presence to service_role;

-- The state rule, in one place. Inputs: live lines, the wrap-up flag (a connected call ended and
-- its disposition is not saved yet), the away flag (set by the rep), and presence.
--   live lines > 0 -> on_call; no client connected -> offline; wrap-up -> wrap_up; away -> away;
--   otherwise available.
-- Returns the state after the sync; a change is logged in rep_state_log.
create function dialer_sync_rep_state(p_user_email text) returns text language plpgsql security definer
set search_path = public, pg_temp as $$
declare
  current rep_states;
  lines integer;
  online boolean;
  next_state text;
begin
  select * into current from rep_states where user_email = p_user_email for update;
  if not found then
    return null;
  end if;
  select count(*) into lines from active_calls
    where user_email = p_user_email and status in ('dialing', 'ringing', 'in-progress');
  select exists (
    select 1 from realtime_presence p join realtime_instances i using (instance_id)
    where p.user_email = p_user_email and i.heartbeat_at > now() - dialer_presence_timeout()
  ) into online;
  next_state := case
    when lines > 0 then 'on_call'
    when not online then 'offline'
    when current.is_wrap_up then 'wrap_up'
    when current.is_away then 'away'
    else 'available'
  end;
  if next_state is distinct from current.state or lines is distinct from current.live_lines then
    update rep_states set
      state = next_state,
      live_lines = least(lines, 3),
      state_since = case when next_state is distinct from current.state then now() else state_since end,
      updated_at = now()
    where user_email = p_user_email;
    if next_state is distinct from current.state then
      insert into rep_state_log (user_email, workspace_id, state, live_lines)
        values (p_user_email, current.workspace_id, next_state, least(lines, 3));
    end if;
  end if;
  return next_state;
end $$;

-- A call placed puts its rep on a call; a call that ends frees the line, and a conversation
-- (answered by a person) leaves the rep in wrap-up until the disposition is saved.
create function active_calls_rep_state() returns trigger language plpgsql security definer
set search_path = public, pg_temp as $$
begin
  if tg_op = 'UPDATE' and new.status = 'completed' and new.answered_at is not null
     and coalesce(new.answered_by, 'human') not like 'machine%' then
    update rep_states set is_wrap_up = true where user_email = new.user_email;
  end if;
  perform dialer_sync_rep_state(new.user_email);
  return null;
end $$;
create trigger active_calls_rep_state_insert after insert on active_calls
  for each row execute function active_calls_rep_state();
create trigger active_calls_rep_state_end after update of status on active_calls
  for each row when (dialer_is_terminal(new.status) and not dialer_is_terminal(old.status))
  execute function active_calls_rep_state();

-- Realtime for the floor: members and their states, by either capture.
create trigger workspace_members_changes after insert or update or delete on workspace_members
  for each row when (dialer_change_capture() = 'notify') execute function dialer_notify_change('user_email');
create trigger rep_states_changes after insert or update or delete on rep_states
  for each row when (dialer_change_capture() = 'notify') execute function dialer_notify_change('user_email');
alter table workspace_members replica identity full;
alter table rep_states replica identity full;
alter publication dialer_realtime add table workspace_members, rep_states;
