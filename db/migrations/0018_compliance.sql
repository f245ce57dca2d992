-- Compliance at the moment of dialing (issue 13): the settings, tables and call columns the one
-- dial gate (src/db/dial-gate.ts, src/core/dial-gate.ts) reads and writes. Every rule lives once,
-- on the server; clients read these tables under row-level security and write none of them.

-- The workspace's rules. The federal window (47 CFR 64.1200(c)(1): no call before 08:00 or after
-- 21:00 at the called party's location) is the widest a workspace may set; a list and a state
-- only ever narrow it. Attempt caps: null is no cap; the 24-hour default of 3 follows the states
-- that cap calls on one subject per 24 hours (e.g. Fla. Stat. 501.616(6)(b)). The abandonment
-- limit may be stricter than the TCPA's 3% (47 CFR 64.1200(a)(7)(i)), never looser.
alter table workspaces
  add column calling_window_start time not null default '08:00',
  add column calling_window_end time not null default '21:00',
  add column max_attempts_lifetime integer check (max_attempts_lifetime > 0),
  add column max_attempts_per_day integer check (max_attempts_per_day > 0),
  add column max_attempts_per_24h integer default 3 check (max_attempts_per_24h > 0),
  add column abandonment_limit_percent numeric(4, 2) not null default 3.00
    check (abandonment_limit_percent >= 0 and abandonment_limit_percent <= 3),
  add column recording_consent_mode text not null default 'notice'
    check (recording_consent_mode in ('notice', 'do_not_record')),
  add column consent_notice text not null default 'This call may be recorded.'
    check (length(consent_notice) between 1 and 500),
  -- The safe-harbor message (47 CFR 64.1200(a)(7)(i)(A)): who is calling (null: the workspace's
  -- name) and a number to ask not to be called again (null: the call's caller ID).
  add column safe_harbor_caller_name text check (length(safe_harbor_caller_name) between 1 and 200),
  add column safe_harbor_opt_out_number text check (safe_harbor_opt_out_number ~ '^\+[1-9][0-9]{6,14}$'),
  add constraint workspaces_calling_window check (
    calling_window_start >= '08:00' and calling_window_end <= '21:00' and calling_window_start < calling_window_end);

-- A list may narrow the workspace's window and caps (null: the workspace's).
alter table lead_lists
  add column calling_window_start time,
  add column calling_window_end time,
  add column max_attempts_lifetime integer check (max_attempts_lifetime > 0),
  add column max_attempts_per_day integer check (max_attempts_per_day > 0),
  add column max_attempts_per_24h integer check (max_attempts_per_24h > 0),
  add constraint lead_lists_calling_window check (
    (calling_window_start is null and calling_window_end is null)
    or (calling_window_start >= '08:00' and calling_window_end <= '21:00' and calling_window_start < calling_window_end));

-- What a lead's import (or a user) says about where the callee is: an IANA time zone and a
-- region (US state or territory, its two-letter USPS code). The gate checks these as well as
-- what the number says.
alter table leads
  add column time_zone text check (time_zone ~ '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$' and length(time_zone) <= 64),
  add column region text check (region ~ '^[A-Z]{2}$');

-- Calling hours per region and day, stricter than the workspace's window where a state says so.
-- day: a weekday, or 'holiday' (the US federal holidays, src/core/calling-hours.ts); a row with
-- no window (both times null) means no calls that day. A region without a row for a day keeps
-- the workspace's window that day. The defaults (with each rule's source) are copied into every
-- workspace, where its admins may edit them.
create table calling_hour_rule_defaults (
  region text not null check (region ~ '^[A-Z]{2}$'),
  day text not null check (day in ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'holiday')),
  window_start time,
  window_end time,
  source text not null check (length(source) between 1 and 500),
  primary key (region, day),
  check ((window_start is null) = (window_end is null) and (window_start is null or window_start < window_end))
);

create table calling_hour_rules (
  workspace_id uuid not null references workspaces (id),
  region text not null check (region ~ '^[A-Z]{2}$'),
  day text not null check (day in ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'holiday')),
  window_start time,
  window_end time,
  source text not null check (length(source) between 1 and 500),
  updated_by text, -- null: copied from the defaults
  updated_at timestamptz not null default now(),
  primary key (workspace_id, region, day),
  check ((window_start is null) = (window_end is null) and (window_start is null or window_start < window_end))
);

create function dialer_copy_calling_hour_rules() returns trigger language plpgsql security definer
set search_path = public, pg_temp as $$
begin
  insert into calling_hour_rules (workspace_id, region, day, window_start, window_end, source)
  select new.id, region, day, window_start, window_end, source from calling_hour_rule_defaults;
  return new;
end $$;
create trigger workspaces_copy_calling_hour_rules after insert on workspaces
  for each row execute function dialer_copy_calling_hour_rules();

alter table calling_hour_rules enable row level security;
create policy member_reads on calling_hour_rules for select to authenticated
  using (workspace_id = (select dialer_member_workspace()));
alter table calling_hour_rule_defaults enable row level security;
create policy anyone_reads on calling_hour_rule_defaults for select to authenticated using (true);
grant select on calling_hour_rules, calling_hour_rule_defaults to authenticated;
grant all on calling_hour_rules, calling_hour_rule_defaults to service_role;

-- Do-not-call becomes one list per workspace, checked by E.164 number at every dial. user_email
-- is who added the number; the first entry of a number in a workspace is kept.
alter table do_not_call_numbers
  add column source text not null default 'disposition'
    check (source in ('manual', 'import', 'registry', 'disposition', 'lead_status')),
  add column note text check (length(note) <= 500);
alter table do_not_call_numbers drop constraint do_not_call_numbers_pkey;
delete from do_not_call_numbers d using do_not_call_numbers e
  where d.workspace_id = e.workspace_id and d.phone_number = e.phone_number
    and (d.created_at, d.user_email) > (e.created_at, e.user_email);
alter table do_not_call_numbers add primary key (workspace_id, phone_number);
alter table do_not_call_numbers alter column source set default 'manual';
drop policy member_reads on do_not_call_numbers;
create policy member_reads on do_not_call_numbers for select to authenticated
  using (workspace_id = (select dialer_member_workspace()));

-- The compliance log: every refused dial, every abandoned call, every do-not-call change, with
-- the rule that decided and who acted. Admins and managers read their workspace's; a rep their own.
create table compliance_events (
  id bigint generated always as identity primary key,
  workspace_id uuid not null references workspaces (id), -- filled from user_email
  user_email text not null, -- who dialed or acted
  kind text not null check (kind in ('dial_refused', 'abandoned', 'dnc_added', 'dnc_removed')),
  code text, -- a refusal's error code (do_not_call, outside_calling_hours, attempt_limit_reached, ...)
  rule text, -- which rule decided, e.g. 'region:TX:sun', 'multi_zone_area:850', 'dnc:list'
  phone_number text,
  lead_id uuid,
  list_id uuid,
  call_id uuid,
  message text not null,
  details jsonb not null default '{}'::jsonb check (jsonb_typeof(details) = 'object'),
  created_at timestamptz not null default now()
);
create index compliance_events_workspace on compliance_events (workspace_id, created_at desc, id desc);
create trigger compliance_events_fill_workspace before insert on compliance_events
  for each row execute function dialer_fill_workspace();
alter table compliance_events enable row level security;
create policy member_reads on compliance_events for select to authenticated
  using (workspace_id = (select dialer_member_workspace()) and (user_email = (select auth.email()) or (select dialer_member_sees_workspace())));
grant select on compliance_events to authenticated;
grant all on compliance_events to service_role;

-- What the gate decided for a call, and what happened to it that compliance counts:
--   list_id        the lead's list when the call was placed (rates per list);
--   compliance     the gate's facts (callee zones and local time, the rule that decided, attempts);
--   connected_at   when a rep was connected to the answered callee;
--   abandoned_at   when an answered human was not connected within 2 s of the greeting
--                  (47 CFR 64.1200(a)(7)(ii));
--   safe_harbor_at when the safe-harbor message started playing;
--   recording_decision  'off', 'recorded', 'recorded_after_notice' or 'not_recorded_consent'.
alter table active_calls
  add column list_id uuid,
  add column compliance jsonb not null default '{}'::jsonb check (jsonb_typeof(compliance) = 'object'),
  add column connected_at timestamptz,
  add column abandoned_at timestamptz,
  add column safe_harbor_at timestamptz,
  add column recording_decision text not null default 'off'
    check (recording_decision in ('off', 'recorded', 'recorded_after_notice', 'not_recorded_consent'));
alter table call_logs
  add column list_id uuid,
  add column compliance jsonb not null default '{}'::jsonb check (jsonb_typeof(compliance) = 'object'),
  add column connected_at timestamptz,
  add column abandoned_at timestamptz,
  add column safe_harbor_at timestamptz,
  add column recording_decision text not null default 'off'
    check (recording_decision in ('off', 'recorded', 'recorded_after_notice', 'not_recorded_consent'));
-- Attempts per number and per lead are counted from history (and live calls) under the gate's lock.
create index call_logs_workspace_number on call_logs (workspace_id, to_number, started_at desc);
create index call_logs_lead_started on call_logs (lead_id, started_at desc) where lead_id is not null;
create index call_logs_abandonment on call_logs (workspace_id, ended_at desc) where answered_at is not null;

-- Demo mode only: a simulated clock for the gate (seconds added to now), so a user can see an
-- outside-hours refusal without waiting. Real calls always use the real clock.
alter table dialer_settings add column demo_clock_offset_seconds integer
  check (abs(demo_clock_offset_seconds) <= 366 * 86400);
