-- Lead imports (issue 12): a CSV file uploaded to POST /imports/leads is kept until its import
-- finishes, then imported on the server in batches (src/functions/lead-import.ts). Progress,
-- counters and every refused row are rows here, so a page that reloads, another process, or a
-- server restarted mid-import all read the same state. The importer reads their imports; the
-- admins and managers of the workspace read every import of it; only the server writes.

create table lead_imports (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id), -- filled from user_email (dialer_fill_workspace)
  user_email text not null, -- the importer, who owns the leads it creates
  file_name text check (length(file_name) between 1 and 255),
  -- uploaded: previewed, not started; queued/running: being imported; done or failed: finished.
  status text not null default 'uploaded' check (status in ('uploaded', 'queued', 'running', 'done', 'failed')),
  -- What the upload found (the preview's answer), kept so startLeadImport checks the mapping against it.
  delimiter text not null check (length(delimiter) = 1),
  has_bom boolean not null default false,
  sep_line boolean not null default false,
  encoding text not null,
  headers jsonb not null,
  -- What startLeadImport chose.
  mapping jsonb,
  default_country text check (default_country ~ '^[A-Z]{2}$'),
  duplicates text check (duplicates in ('skip', 'update')),
  list_id uuid,
  total_rows integer not null check (total_rows >= 0),
  processed_rows integer not null default 0 check (processed_rows >= 0),
  inserted integer not null default 0 check (inserted >= 0),
  updated integer not null default 0 check (updated >= 0),
  skipped_duplicates integer not null default 0 check (skipped_duplicates >= 0),
  refused integer not null default 0 check (refused >= 0),
  failure text, -- why a failed import stopped, in a sentence
  -- Which server process runs it and when it last finished a batch: a process that died stops
  -- heartbeating, and another (or the same one restarted) resumes the import after the last batch.
  runner uuid,
  heartbeat_at timestamptz,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now(),
  check (processed_rows <= total_rows),
  -- The list is one of the import's workspace (as leads' own key says).
  foreign key (list_id, workspace_id) references lead_lists (id, workspace_id) on delete set null (list_id)
);
create index lead_imports_workspace on lead_imports (workspace_id, created_at desc);
create index lead_imports_unfinished on lead_imports (heartbeat_at) where status in ('queued', 'running');

create trigger lead_imports_fill_workspace before insert on lead_imports
  for each row execute function dialer_fill_workspace();

-- The uploaded text, until the import finishes (or, never started, until it is a day old).
create table lead_import_files (
  import_id uuid primary key references lead_imports (id) on delete cascade,
  content text not null
);

-- Every refused row: its number as a spreadsheet shows it (the header is row 1; a cell with line
-- breaks is one row; blank rows count, the Excel `sep=` line does not), the field, and one reason.
create table lead_import_errors (
  import_id uuid not null references lead_imports (id) on delete cascade,
  row_number integer not null check (row_number >= 2),
  field text,
  reason text not null,
  primary key (import_id, row_number)
);

alter table lead_imports enable row level security;
alter table lead_import_files enable row level security;
alter table lead_import_errors enable row level security;

create policy member_reads on lead_imports for select to authenticated
  using (workspace_id = (select dialer_member_workspace()) and (user_email = (select auth.email()) or (select dialer_member_sees_workspace())));
create policy member_reads on lead_import_errors for select to authenticated
  using (exists (select 1 from lead_imports i where i.id = import_id));

-- The file's text is the server's alone: clients read its preview and its errors.
grant select on lead_imports, lead_import_errors to authenticated;
grant all on lead_imports, lead_import_files, lead_import_errors to service_role;
