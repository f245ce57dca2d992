-- Power-dial sessions (issue 14): a rep works a lead list (or a saved filter of it) on 1 to 3
-- lines. The session row is the one place its state lives: its status, its counters, and the
-- one human connected to the rep (PD1). Lead reservations say which session holds which lead
-- while it is being dialed (PD2). Only the server writes either table; a rep reads their own
-- sessions, admins and managers their workspace's (realtime agrees, WS1); nobody but the server
-- reads reservations or the session's worked leads (the session screen gets its queue from a
-- function).

create table dialer_sessions (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id), -- filled from user_email (dialer_fill_workspace)
  user_email text not null, -- the rep who drives it
  -- The list is in the session's workspace (the composite key says so, as for leads).
  list_id uuid not null,
  -- A saved filter of the list (src/core/dialer-session.ts: sessionFilterSchema checks it before it is stored).
  filter jsonb not null default '{}'::jsonb check (jsonb_typeof(filter) = 'object'),
  lines integer not null check (lines between 1 and 3),
  status text not null default 'active' check (status in ('active', 'paused', 'stopped')),
  stop_reason text check (stop_reason in ('rep_stopped', 'queue_empty', 'list_archived', 'heartbeat_lost')),
  dialed integer not null default 0 check (dialed >= 0),
  connected integer not null default 0 check (connected >= 0),
  voicemail integer not null default 0 check (voicemail >= 0),
  abandoned integer not null default 0 check (abandoned >= 0),
  skipped integer not null default 0 check (skipped >= 0),
  -- Skips by reason code (the dial gate's refusal codes): {"do_not_call": 2, ...}.
  skipped_reasons jsonb not null default '{}'::jsonb check (jsonb_typeof(skipped_reasons) = 'object'),
  -- PD1: the one call connected to the rep. Set only by `update ... where connected_call_id is null`,
  -- so of several answered lines exactly one wins; cleared when that call ends.
  connected_call_id uuid references active_calls (id) on delete set null,
  -- The server process driving the session touches this; a session silent past the bound in
  -- src/core/dialer-session.ts (SESSION_HEARTBEAT_TIMEOUT_SECONDS) has its reservations released.
  heartbeat_at timestamptz not null default now(),
  started_at timestamptz not null default now(),
  paused_at timestamptz,
  stopped_at timestamptz,
  updated_at timestamptz not null default now(),
  constraint dialer_sessions_list_same_workspace foreign key (list_id, workspace_id) references lead_lists (id, workspace_id),
  -- A stopped session says why and when, and has nobody connected; a live one has neither.
  constraint dialer_sessions_stopped_shape check (
    (status = 'stopped') = (stopped_at is not null) and (status = 'stopped') = (stop_reason is not null)
    and (status <> 'stopped' or connected_call_id is null)),
  constraint dialer_sessions_paused_shape check ((status = 'paused') = (paused_at is not null))
);
-- One active or paused session per rep: concurrent starts race on this index, and one wins.
create unique index dialer_sessions_one_live_per_rep on dialer_sessions (user_email) where status in ('active', 'paused');
create index dialer_sessions_workspace on dialer_sessions (workspace_id, started_at desc);
create index dialer_sessions_list_live on dialer_sessions (list_id) where status in ('active', 'paused');

create trigger dialer_sessions_fill_workspace before insert on dialer_sessions
  for each row execute function dialer_fill_workspace();

alter table dialer_sessions enable row level security;
create policy member_reads on dialer_sessions for select to authenticated
  using (workspace_id = (select dialer_member_workspace()) and (user_email = (select auth.email()) or (select dialer_member_sees_workspace())));
grant select on dialer_sessions to authenticated;
grant all on dialer_sessions to service_role;

-- PD2: a lead is held by at most one session while it is being dialed (the primary key says so,
-- whatever the race). A table of its own rather than columns on leads: leads are rows reps edit
-- and every client watches, and a reservation is the server's bookkeeping, taken and dropped at
-- dialing speed; kept apart, it stirs no lead trigger, no realtime event and no lead lock, and a
-- session's reservations go with the session.
create table lead_reservations (
  lead_id uuid primary key references leads (id) on delete cascade,
  session_id uuid not null references dialer_sessions (id) on delete cascade,
  workspace_id uuid not null references workspaces (id),
  line_number integer check (line_number between 1 and 3),
  reserved_at timestamptz not null,
  -- A reservation not renewed by its session's heartbeat lapses (src/core/dialer-session.ts RESERVATION_SECONDS).
  expires_at timestamptz not null check (expires_at > reserved_at)
);
create index lead_reservations_session on lead_reservations (session_id);
create index lead_reservations_expiry on lead_reservations (expires_at);
alter table lead_reservations enable row level security;
grant all on lead_reservations to service_role;

-- The leads a session has worked, once each: dialed (its call) or skipped (the gate's reason).
-- The queue never offers a session a lead it has worked, so a lead the gate refuses is skipped
-- once, not retried forever; a later session may try it again.
create table dialer_session_leads (
  session_id uuid not null references dialer_sessions (id) on delete cascade,
  lead_id uuid not null references leads (id) on delete cascade,
  workspace_id uuid not null references workspaces (id),
  outcome text not null check (outcome in ('dialed', 'skipped')),
  call_id uuid references active_calls (id) on delete set null,
  skip_reason text,
  at timestamptz not null,
  primary key (session_id, lead_id),
  constraint dialer_session_leads_shape check ((outcome = 'skipped') = (skip_reason is not null) and (outcome = 'dialed' or call_id is null))
);
alter table dialer_session_leads enable row level security;
grant all on dialer_session_leads to service_role;

-- The queue asks, for each lead of a list, whether a call to it is live, and whether this
-- session placed a call to it (a call written before its dialer_session_leads row, as after a crash between the two).
create index active_calls_lead_live on active_calls (lead_id) where lead_id is not null and status in ('dialing', 'ringing', 'in-progress');
create index active_calls_session on active_calls (session_id, lead_id) where session_id is not null;
create index leads_list_queue on leads (list_id, created_at, id) where list_id is not null;

-- Realtime: clients see their sessions change live, by either capture (RT2).
create trigger dialer_sessions_changes after insert or update or delete on dialer_sessions
  for each row when (dialer_change_capture() = 'notify') execute function dialer_notify_change('id');
alter table dialer_sessions replica identity full;
alter publication dialer_realtime add table dialer_sessions;
