-- Power-dial sessions, the lines (issue 14): how long a line rang, when the session let a line go
-- itself, the voicemail drop, the list's wrap-up timer, and why a session was paused.

-- Wrap-up: null waits for the rep's disposition; otherwise the session dials on after this many
-- seconds of wrap-up (src/core/dialer-session.ts WRAP_UP_SECONDS_MIN and _MAX say the same bounds).
alter table lead_lists add column wrap_up_seconds integer check (wrap_up_seconds between 5 and 3600);

alter table active_calls
  -- When the callee's phone first rang (the database's clock): a session drops a line still ringing
  -- only after the minimum ring time from here (16 CFR 310.4(b)(4)(ii)).
  add column ringing_at timestamptz,
  -- When the session ended the line itself (a ringing line past the minimum, a machine hung up or
  -- left a message, a losing line after its message): set once, so the provider is told once.
  add column line_released_at timestamptz,
  -- When the list's voicemail message started after the machine's beep.
  add column voicemail_dropped_at timestamptz;
alter table call_logs add column voicemail_dropped_at timestamptz;

alter table dialer_sessions
  -- Why a session is paused: the rep paused it, or the server running it died (lease lapsed) and the
  -- rep resumes it on return (a session never dials on by itself after its server was lost).
  add column pause_reason text check (pause_reason in ('rep_paused', 'server_lost')),
  -- When the list's wrap-up timer ends the rep's wrap-up (null: no timer running).
  add column wrap_up_until timestamptz;
update dialer_sessions set pause_reason = 'rep_paused' where status = 'paused';
alter table dialer_sessions add constraint dialer_sessions_pause_reason_shape check ((status = 'paused') = (pause_reason is not null));

-- The runner finds the sessions to drive by these two indexes (live sessions, and stopped ones with
-- calls still to settle): a session ever made is not read again once it is stopped and settled.
create index dialer_sessions_live on dialer_sessions (id) where status in ('active', 'paused');

-- As 0022 defines it, plus: the first time a call rings, and the voicemail drop, are written once.
create or replace function active_calls_before_update_compliance() returns trigger language plpgsql as $$
begin
  if new.status = 'in-progress' and old.status is distinct from 'in-progress' and new.session_id is null then
    new.connected_at := coalesce(new.connected_at, new.answered_at);
  end if;
  if new.status = 'ringing' and old.ringing_at is null then
    new.ringing_at := coalesce(new.ringing_at, clock_timestamp());
  end if;
  new.ringing_at := coalesce(old.ringing_at, new.ringing_at);
  new.line_released_at := coalesce(old.line_released_at, new.line_released_at);
  new.voicemail_dropped_at := coalesce(old.voicemail_dropped_at, new.voicemail_dropped_at);
  new.abandoned_at := coalesce(old.abandoned_at, new.abandoned_at);
  if new.answered_by like 'machine%' or new.answered_by = 'fax' then
    new.abandoned_at := null;
  end if;
  new.safe_harbor_at := coalesce(old.safe_harbor_at, new.safe_harbor_at);
  if new.connected_at is not null and new.ended_at is not null and new.connected_at > new.ended_at then
    new.connected_at := new.ended_at;
  end if;
  return new;
end $$;

-- As 0020 defines it, with the voicemail drop copied into history too, and the call's lead moved
-- whoever placed the call, within the call's workspace: a rep working a list a manager imported
-- calls leads they do not own, and the lead's status, attempts and last_called_at (what the
-- session queue's "once per pass" reads) must still follow each call. Which lead a call may name
-- is decided by the server when the call is placed (the dial's target, or the session's queue).
create or replace function active_calls_after_update() returns trigger language plpgsql security definer
set search_path = public, pg_temp as $$
declare
  inserted integer;
begin
  if dialer_is_terminal(new.status) and not dialer_is_terminal(old.status) then
    insert into call_logs (
      active_call_id, call_sid, user_email, lead_id, lead_name, to_number, line_number, session_id,
      outcome, status_source, is_mock, provider, started_at, answered_at, ended_at,
      ring_seconds, talk_seconds, answered_by, recording_url, last_error, extension,
      list_id, compliance, connected_at, abandoned_at, safe_harbor_at, recording_decision, voicemail_dropped_at)
    values (
      new.id, new.call_sid, new.user_email, new.lead_id, new.lead_name, new.to_number, new.line_number,
      new.session_id, new.status, new.status_source, new.is_mock, new.provider, new.started_at,
      new.answered_at, new.ended_at,
      round(extract(epoch from (coalesce(new.answered_at, new.ended_at) - new.started_at)))::integer,
      coalesce(new.duration_seconds, 0), new.answered_by, new.recording_url, new.last_error, new.extension,
      new.list_id, new.compliance, new.connected_at, new.abandoned_at, new.safe_harbor_at, new.recording_decision,
      new.voicemail_dropped_at)
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
      where id = new.lead_id and workspace_id = new.workspace_id;
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
        and (new.recording_url is distinct from old.recording_url or new.answered_by is distinct from old.answered_by
             or new.connected_at is distinct from old.connected_at or new.abandoned_at is distinct from old.abandoned_at
             or new.safe_harbor_at is distinct from old.safe_harbor_at
             or new.voicemail_dropped_at is distinct from old.voicemail_dropped_at) then
    update call_logs set recording_url = new.recording_url, answered_by = new.answered_by,
      connected_at = new.connected_at, abandoned_at = new.abandoned_at, safe_harbor_at = new.safe_harbor_at,
      voicemail_dropped_at = new.voicemail_dropped_at, updated_at = now()
    where active_call_id = new.id;
  end if;
  return null;
end $$;
