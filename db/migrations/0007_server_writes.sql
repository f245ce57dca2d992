-- TR1: call rows, history, stats, lead status and attempts are written by the server alone.
-- Clients read them; they change calls and history only through the functions (place, end,
-- saveDisposition), their settings through dialerSettings, and a lead's contact fields.
-- README "Who may write what" lists every table and column; a test walks it against these grants.

drop policy if exists own_calls_change on active_calls;
revoke insert, update, delete on active_calls from anon, authenticated;

drop policy if exists own_history_change on call_logs;
revoke insert, update, delete on call_logs from anon, authenticated;

revoke insert, update, delete on user_stats from anon, authenticated;

revoke insert, update, delete on dialer_settings from anon, authenticated;
drop policy if exists own_settings on dialer_settings;
create policy own_settings on dialer_settings for select to authenticated using (user_email = auth.email());

-- Leads: a rep adds, edits the contact fields of, and deletes their own leads. Status, attempts,
-- last call and the callback time come from calls and dispositions.
revoke insert, update on leads from anon, authenticated;
grant insert (user_email, name, phone, company, email, notes) on leads to authenticated;
grant update (name, phone, company, email, notes) on leads to authenticated;

-- The server's clock stamps every change of a lead.
create function leads_before_update() returns trigger language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end $$;
create trigger leads_before_update before update on leads
  for each row execute function leads_before_update();

-- Dispositions: when and, for a callback, when to call again.
alter table call_logs add column disposition_at timestamptz;
alter table call_logs add column callback_at timestamptz;
alter table leads add column callback_at timestamptz;

-- Numbers the user must not call again, whether or not a lead has them (a keypad call marked
-- `do_not_call`). The team-wide list grows from this; the server checks it on every dial.
create table do_not_call_numbers (
  user_email text not null,
  phone_number text not null check (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
  call_log_id uuid references call_logs (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (user_email, phone_number)
);
alter table do_not_call_numbers enable row level security;
create policy own_do_not_call on do_not_call_numbers for select to authenticated using (user_email = auth.email());
grant select on do_not_call_numbers to authenticated;
grant all on do_not_call_numbers to service_role;

-- Demo calls never change a rep's real figures: stats are kept per user and mode.
alter table user_stats add column is_mock boolean not null default false;
alter table user_stats drop constraint user_stats_pkey;
delete from user_stats;
insert into user_stats (user_email, is_mock, calls_made, connects, voicemails, no_answers, busy, failed, canceled,
                        talk_seconds, last_call_at)
select user_email, is_mock, count(*),
  count(*) filter (where outcome = 'completed' and answered_at is not null),
  count(*) filter (where outcome = 'voicemail_detected'),
  count(*) filter (where outcome = 'no-answer'),
  count(*) filter (where outcome = 'busy'),
  count(*) filter (where outcome = 'failed'),
  count(*) filter (where outcome = 'canceled'),
  coalesce(sum(talk_seconds) filter (where outcome = 'completed'), 0),
  max(ended_at)
from call_logs group by user_email, is_mock;
alter table user_stats add primary key (user_email, is_mock);

-- HI1 as before, with two changes: a lead marked do-not-call stays so after a call, and stats
-- are counted per mode.
create or replace function active_calls_after_update() returns trigger language plpgsql security definer
set search_path = public, pg_temp as $$
declare
  inserted integer;
begin
  if dialer_is_terminal(new.status) and not dialer_is_terminal(old.status) then
    insert into call_logs (
      active_call_id, call_sid, user_email, lead_id, lead_name, to_number, line_number, session_id,
      outcome, status_source, is_mock, provider, started_at, answered_at, ended_at,
      ring_seconds, talk_seconds, answered_by, recording_url, last_error)
    values (
      new.id, new.call_sid, new.user_email, new.lead_id, new.lead_name, new.to_number, new.line_number,
      new.session_id, new.status, new.status_source, new.is_mock, new.provider, new.started_at,
      new.answered_at, new.ended_at,
      round(extract(epoch from (coalesce(new.answered_at, new.ended_at) - new.started_at)))::integer,
      coalesce(new.duration_seconds, 0), new.answered_by, new.recording_url, new.last_error)
    on conflict do nothing;
    get diagnostics inserted = row_count;
    if inserted = 0 then
      return null;
    end if;

    if new.lead_id is not null then
      update leads set
        status = case when status = 'do_not_call' then status else dialer_lead_status_after(new.status) end,
        attempts = attempts + 1,
        last_called_at = new.ended_at
      where id = new.lead_id and user_email = new.user_email;
    end if;

    insert into user_stats as s (user_email, is_mock, calls_made, connects, voicemails, no_answers, busy, failed,
                                 canceled, talk_seconds, last_call_at)
    values (new.user_email, new.is_mock, 1,
      (new.status = 'completed' and new.answered_at is not null)::integer,
      (new.status = 'voicemail_detected')::integer,
      (new.status = 'no-answer')::integer,
      (new.status = 'busy')::integer,
      (new.status = 'failed')::integer,
      (new.status = 'canceled')::integer,
      case when new.status = 'completed' then coalesce(new.duration_seconds, 0) else 0 end,
      new.ended_at)
    on conflict (user_email, is_mock) do update set
      calls_made = s.calls_made + 1,
      connects = s.connects + excluded.connects,
      voicemails = s.voicemails + excluded.voicemails,
      no_answers = s.no_answers + excluded.no_answers,
      busy = s.busy + excluded.busy,
      failed = s.failed + excluded.failed,
      canceled = s.canceled + excluded.canceled,
      talk_seconds = s.talk_seconds + excluded.talk_seconds,
      last_call_at = greatest(s.last_call_at, excluded.last_call_at),
      updated_at = now();
  elsif dialer_is_terminal(new.status)
        and (new.recording_url is distinct from old.recording_url or new.answered_by is distinct from old.answered_by) then
    update call_logs set recording_url = new.recording_url, answered_by = new.answered_by, updated_at = now()
    where active_call_id = new.id;
  end if;
  return null;
end $$;
