-- What compliance counts, kept with each call's history (issue 13): the list the call was placed
-- for, the gate's facts, when a rep was connected, when the call was abandoned and when the
-- safe-harbor message began, and the recording decision. The abandonment rate is computed from
-- these history rows (src/db/abandonment.ts).

-- When a rep is connected, and the abandonment facts, on every status change:
--   * a call placed by a rep by hand (no session) has the rep on the line the moment the callee
--     answers, so connected_at is the answer, set here so that every provider gets it;
--   * a call is abandoned, and hears the safe-harbor message, once: the first time written stays;
--   * the connection is never after the end (0002 may move the answer back to the end).
-- Named to run after active_calls_before_update (triggers of one event fire in name order), so
-- it sees the status the state machine settled on, and does not run for a change it refused.
create function active_calls_before_update_compliance() returns trigger language plpgsql as $$
begin
  if new.status = 'in-progress' and old.status is distinct from 'in-progress' and new.session_id is null then
    new.connected_at := coalesce(new.connected_at, new.answered_at);
  end if;
  new.abandoned_at := coalesce(old.abandoned_at, new.abandoned_at);
  new.safe_harbor_at := coalesce(old.safe_harbor_at, new.safe_harbor_at);
  if new.connected_at is not null and new.ended_at is not null and new.connected_at > new.ended_at then
    new.connected_at := new.ended_at;
  end if;
  return new;
end $$;

create trigger active_calls_before_update_compliance before update on active_calls
  for each row execute function active_calls_before_update_compliance();

-- As migration 0015 defines it, with the compliance columns copied into the history row, and
-- kept in step when they land after the end (an abandonment recorded after the callee hung up).
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
      list_id, compliance, connected_at, abandoned_at, safe_harbor_at, recording_decision)
    values (
      new.id, new.call_sid, new.user_email, new.lead_id, new.lead_name, new.to_number, new.line_number,
      new.session_id, new.status, new.status_source, new.is_mock, new.provider, new.started_at,
      new.answered_at, new.ended_at,
      round(extract(epoch from (coalesce(new.answered_at, new.ended_at) - new.started_at)))::integer,
      coalesce(new.duration_seconds, 0), new.answered_by, new.recording_url, new.last_error, new.extension,
      new.list_id, new.compliance, new.connected_at, new.abandoned_at, new.safe_harbor_at, new.recording_decision)
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
        and (new.recording_url is distinct from old.recording_url or new.answered_by is distinct from old.answered_by
             or new.connected_at is distinct from old.connected_at or new.abandoned_at is distinct from old.abandoned_at
             or new.safe_harbor_at is distinct from old.safe_harbor_at) then
    update call_logs set recording_url = new.recording_url, answered_by = new.answered_by,
      connected_at = new.connected_at, abandoned_at = new.abandoned_at, safe_harbor_at = new.safe_harbor_at,
      updated_at = now()
    where active_call_id = new.id;
  end if;
  return null;
end $$;
