-- Extensions (issue 12): digits dialed as DTMF after the answer, kept apart from the E.164
-- number and never merged into it. A lead has one; a call copies it; its history row keeps it.
-- Digits only, at most 10 (src/core/phone-number.ts EXTENSION_PATTERN says the same).
alter table leads add column extension text constraint leads_extension_digits check (extension ~ '^[0-9]{1,10}$');
alter table active_calls add column extension text constraint active_calls_extension_digits check (extension ~ '^[0-9]{1,10}$');
alter table call_logs add column extension text constraint call_logs_extension_digits check (extension ~ '^[0-9]{1,10}$');

-- A lead's extension is a contact field, which its rep edits as the number (migration 0007).
grant insert (extension), update (extension) on leads to authenticated;

-- As migration 0007 defines it, with the extension copied into the history row.
create or replace function active_calls_after_update() returns trigger language plpgsql security definer
set search_path = public, pg_temp as $$
declare
  inserted integer;
begin
  if dialer_is_terminal(new.status) and not dialer_is_terminal(old.status) then
    insert into call_logs (
      active_call_id, call_sid, user_email, lead_id, lead_name, to_number, line_number, session_id,
      outcome, status_source, is_mock, provider, started_at, answered_at, ended_at,
      ring_seconds, talk_seconds, answered_by, recording_url, last_error, extension)
    values (
      new.id, new.call_sid, new.user_email, new.lead_id, new.lead_name, new.to_number, new.line_number,
      new.session_id, new.status, new.status_source, new.is_mock, new.provider, new.started_at,
      new.answered_at, new.ended_at,
      round(extract(epoch from (coalesce(new.answered_at, new.ended_at) - new.started_at)))::integer,
      coalesce(new.duration_seconds, 0), new.answered_by, new.recording_url, new.last_error, new.extension)
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
