-- The database enforces the status machine (ST1-ST3) and writes history (HI1) itself, so
-- every writer (functions, webhooks, REST, psql) gets the same guarantees.

create function dialer_is_terminal(call_status text) returns boolean language sql stable as $$
  select coalesce((select is_terminal from call_statuses where status = call_status), false)
$$;

-- The seed's words for two statuses.
create function dialer_normalize_status(call_status text) returns text language sql immutable as $$
  select case call_status when 'connected' then 'in-progress' when 'ended' then 'completed' else call_status end
$$;

-- What a finished call makes of its lead.
create function dialer_lead_status_after(outcome text) returns text language sql immutable as $$
  select case outcome
    when 'completed' then 'contacted'
    when 'voicemail_detected' then 'voicemail'
    when 'no-answer' then 'no_answer'
    when 'busy' then 'busy'
    else 'attempted'
  end
$$;

create function active_calls_before_insert() returns trigger language plpgsql as $$
begin
  new.status := dialer_normalize_status(new.status);
  if new.status <> 'dialing' then
    raise exception 'a call starts as dialing, not %', new.status using errcode = 'check_violation';
  end if;
  new.answered_at := null;
  new.ended_at := null;
  new.duration_seconds := null;
  new.updated_at := now();
  return new;
end $$;

create trigger active_calls_before_insert before insert on active_calls
  for each row execute function active_calls_before_insert();

-- An illegal, backward or post-terminal status change is ignored (the row is left as it
-- was), not raised: late and repeated provider callbacks are normal and must not fail.
create function active_calls_before_update() returns trigger language plpgsql as $$
begin
  new.status := dialer_normalize_status(new.status);
  -- Who the call belongs to and how it was placed never change.
  new.id := old.id;
  new.user_email := old.user_email;
  new.line_number := old.line_number;
  new.is_mock := old.is_mock;
  new.provider := old.provider;
  new.started_at := old.started_at;
  new.to_number := old.to_number;
  new.call_sid := coalesce(old.call_sid, new.call_sid);

  if new.status is distinct from old.status then
    if not exists (select 1 from call_status_transitions
                   where from_status = old.status and to_status = new.status) then
      return null;
    end if;
    if new.status = 'in-progress' then
      new.answered_at := coalesce(new.answered_at, now());
    end if;
    if dialer_is_terminal(new.status) then
      new.ended_at := greatest(coalesce(new.ended_at, now()), new.started_at);
      if new.answered_at is not null and new.answered_at > new.ended_at then
        new.answered_at := new.ended_at;
      end if;
      new.duration_seconds := coalesce(new.duration_seconds, case when new.answered_at is null then 0
        else round(extract(epoch from (new.ended_at - new.answered_at)))::integer end);
    else
      new.ended_at := null;
      new.duration_seconds := null;
    end if;
  elsif dialer_is_terminal(old.status) then
    -- A finished call keeps its timeline and outcome; late facts (a recording) may still land.
    new.status_source := old.status_source;
    new.answered_at := old.answered_at;
    new.ended_at := old.ended_at;
    new.duration_seconds := old.duration_seconds;
    new.last_error := coalesce(old.last_error, new.last_error);
  end if;
  new.updated_at := now();
  return new;
end $$;

create trigger active_calls_before_update before update on active_calls
  for each row execute function active_calls_before_update();

-- HI1: in the transaction that makes a call terminal, write its one history row, its lead
-- and its user's stats. SECURITY DEFINER so a user ending a call through REST, who cannot
-- write these tables, still gets them written.
create function active_calls_after_update() returns trigger language plpgsql security definer
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
        status = dialer_lead_status_after(new.status),
        attempts = attempts + 1,
        last_called_at = new.ended_at,
        updated_at = now()
      where id = new.lead_id;
    end if;

    insert into user_stats as s (user_email, calls_made, connects, voicemails, no_answers, busy, failed,
                                 canceled, talk_seconds, last_call_at)
    values (new.user_email, 1,
      (new.status = 'completed' and new.answered_at is not null)::integer,
      (new.status = 'voicemail_detected')::integer,
      (new.status = 'no-answer')::integer,
      (new.status = 'busy')::integer,
      (new.status = 'failed')::integer,
      (new.status = 'canceled')::integer,
      case when new.status = 'completed' then coalesce(new.duration_seconds, 0) else 0 end,
      new.ended_at)
    on conflict (user_email) do update set
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

create trigger active_calls_after_update after update on active_calls
  for each row execute function active_calls_after_update();
