-- Dialer schema: the tables of the product and the roles Supabase clients expect.

-- Roles are cluster-wide on a real server, so another database (or its administrator) may
-- already have made them; then a server role without the right to create roles can migrate.
do $$ begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then create role anon nologin noinherit; end if;
exception when duplicate_object or unique_violation then null; end $$;
do $$ begin
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then create role authenticated nologin noinherit; end if;
exception when duplicate_object or unique_violation then null; end $$;
do $$ begin
  if not exists (select 1 from pg_roles where rolname = 'service_role') then create role service_role nologin noinherit bypassrls; end if;
exception when duplicate_object or unique_violation then null; end $$;

-- Accounts (the part of Supabase Auth the app uses).
create schema if not exists auth;

create table auth.users (
  id uuid primary key default gen_random_uuid(),
  email text not null unique check (email = lower(email)),
  encrypted_password text not null,
  raw_user_meta_data jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_sign_in_at timestamptz
);

create table auth.sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now()
);

-- Only a hash of each refresh token is kept; a used token is revoked and names its successor.
create table auth.refresh_tokens (
  token_hash text primary key,
  session_id uuid not null references auth.sessions (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  revoked boolean not null default false,
  created_at timestamptz not null default now()
);
create index refresh_tokens_session on auth.refresh_tokens (session_id);

-- The caller's JWT claims, as PostgREST sets them for each request.
create function auth.jwt() returns jsonb language sql stable as $$
  select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb
$$;
create function auth.email() returns text language sql stable as $$ select auth.jwt() ->> 'email' $$;
create function auth.uid() returns uuid language sql stable as $$ select nullif(auth.jwt() ->> 'sub', '')::uuid $$;

grant usage on schema auth to anon, authenticated, service_role;
grant execute on function auth.jwt(), auth.email(), auth.uid() to anon, authenticated, service_role;
grant usage on schema public to anon, authenticated, service_role;

-- Per-user dialer settings. use_mock_dialer = demo mode.
create table dialer_settings (
  user_email text primary key,
  use_mock_dialer boolean not null default true,
  mock_config jsonb not null default '{}'::jsonb check (jsonb_typeof(mock_config) = 'object'),
  caller_id text check (caller_id ~ '^\+[1-9][0-9]{6,14}$'),
  forward_to_number text check (forward_to_number ~ '^\+[1-9][0-9]{6,14}$'),
  default_amd boolean not null default true,
  default_recording boolean not null default false,
  voicemail_action text not null default 'hangup' check (voicemail_action in ('hangup', 'leave')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table leads (
  id uuid primary key default gen_random_uuid(),
  user_email text not null, -- the owner
  name text not null check (length(name) between 1 and 200),
  phone text not null check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  company text,
  email text,
  notes text,
  status text not null default 'new' check (status in (
    'new', 'attempted', 'contacted', 'voicemail', 'no_answer', 'busy',
    'callback', 'interested', 'not_interested', 'wrong_number', 'do_not_call')),
  attempts integer not null default 0 check (attempts >= 0),
  last_called_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index leads_owner on leads (user_email, created_at desc);

-- The statuses and their legal moves, as data (src/core/call-status.ts holds the same table).
create table call_statuses (
  status text primary key,
  is_terminal boolean not null
);
insert into call_statuses (status, is_terminal) values
  ('dialing', false), ('ringing', false), ('in-progress', false),
  ('completed', true), ('failed', true), ('no-answer', true), ('busy', true),
  ('canceled', true), ('voicemail_detected', true);

create table call_status_transitions (
  from_status text not null references call_statuses (status),
  to_status text not null references call_statuses (status),
  primary key (from_status, to_status)
);
insert into call_status_transitions (from_status, to_status) values
  ('dialing', 'ringing'), ('dialing', 'in-progress'), ('dialing', 'completed'), ('dialing', 'failed'),
  ('dialing', 'no-answer'), ('dialing', 'busy'), ('dialing', 'canceled'), ('dialing', 'voicemail_detected'),
  ('ringing', 'in-progress'), ('ringing', 'completed'), ('ringing', 'failed'), ('ringing', 'no-answer'),
  ('ringing', 'busy'), ('ringing', 'canceled'), ('ringing', 'voicemail_detected'),
  ('in-progress', 'completed'), ('in-progress', 'failed'), ('in-progress', 'voicemail_detected');

-- The live state of every call: one row per call, the single source of truth.
create table active_calls (
  id uuid primary key default gen_random_uuid(),
  user_email text not null,
  lead_id uuid references leads (id) on delete set null,
  call_sid text unique,
  line_number integer not null check (line_number between 1 and 3),
  status text not null default 'dialing' references call_statuses (status),
  status_source text not null default 'system' check (status_source in ('mock', 'system', 'webhook', 'manual')),
  is_mock boolean not null default false,
  last_error text,
  started_at timestamptz not null default now(),
  answered_at timestamptz,
  ended_at timestamptz,
  to_number text not null check (to_number ~ '^\+[1-9][0-9]{6,14}$'),
  lead_name text,
  session_id text,
  provider text not null default 'mock' check (provider in ('mock', 'twilio')),
  updated_at timestamptz not null default now(),
  duration_seconds integer check (duration_seconds >= 0),
  answered_by text,
  recording_url text,
  amd_enabled boolean not null default false,
  recording_enabled boolean not null default false,
  -- The simulator's inputs: with these the timeline can be replayed after a restart.
  mock_seed integer,
  mock_config jsonb
);
-- One live call per line per user.
create unique index active_calls_one_live_call_per_line on active_calls (user_email, line_number)
  where status in ('dialing', 'ringing', 'in-progress');
create index active_calls_user on active_calls (user_email, started_at desc);
create index active_calls_live on active_calls (status) where status in ('dialing', 'ringing', 'in-progress');

-- One row per finished call.
create table call_logs (
  id uuid primary key default gen_random_uuid(),
  active_call_id uuid unique references active_calls (id) on delete set null,
  call_sid text unique,
  user_email text not null,
  lead_id uuid references leads (id) on delete set null,
  lead_name text,
  to_number text,
  line_number integer,
  session_id text,
  outcome text not null references call_statuses (status),
  status_source text,
  is_mock boolean not null default false,
  provider text,
  started_at timestamptz,
  answered_at timestamptz,
  ended_at timestamptz,
  ring_seconds integer,
  talk_seconds integer not null default 0,
  answered_by text,
  recording_url text,
  last_error text,
  disposition text check (disposition in (
    'interested', 'not_interested', 'callback', 'wrong_number', 'voicemail_left',
    'no_answer', 'do_not_call', 'other')),
  notes text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index call_logs_user on call_logs (user_email, ended_at desc);
create index call_logs_lead on call_logs (lead_id);

create table user_stats (
  user_email text primary key,
  calls_made integer not null default 0,
  connects integer not null default 0,
  voicemails integer not null default 0,
  no_answers integer not null default 0,
  busy integer not null default 0,
  failed integer not null default 0,
  canceled integer not null default 0,
  talk_seconds bigint not null default 0,
  last_call_at timestamptz,
  updated_at timestamptz not null default now()
);

-- Every provider request, response and webhook, raw, in the order received.
create table twilio_call_logs (
  id bigserial primary key,
  received_at timestamptz not null default now(),
  direction text not null check (direction in ('request', 'response', 'webhook')),
  event text not null,
  call_sid text,
  active_call_id uuid,
  sequence_number integer,
  is_signature_valid boolean,
  outcome text,
  payload jsonb not null default '{}'::jsonb
);
create index twilio_call_logs_call on twilio_call_logs (call_sid, id);

-- The seed kept finished calls here; migration 0004 moves its rows into call_logs.
-- On a database that came from the seed the table already exists with its rows.
create table if not exists dialer_call_history (
  id uuid primary key default gen_random_uuid(),
  user_email text not null,
  lead_id uuid,
  lead_name text,
  phone_number text,
  call_sid text,
  status text,
  duration integer,
  is_mock boolean default false,
  recording_url text,
  notes text,
  started_at timestamptz,
  ended_at timestamptz,
  created_at timestamptz not null default now()
);
