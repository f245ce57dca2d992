-- A call updates its lead whoever placed it, within the call's workspace (issue 14): a rep working
-- a list a manager imported calls leads they do not own, and the lead's status, attempts and
-- last_called_at (what the session queue's "once per pass" reads) must still follow each call.
-- Which lead a call may name is decided by the server when the call is placed (the dial's target,
-- or the session's queue), never by a client. As migration 0026 defines the function otherwise.
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
