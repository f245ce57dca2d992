-- As migration 0025 defines it, except that a call leaves the rep in wrap-up only if the rep could
-- have spoken with a person on it: not a fax (as not a machine), not a line a power-dial session
-- let go itself (a losing line after its message, a machine's voicemail drop, a ringing line past
-- its minimum ring), and, for a session's call, only one the session connected to the rep (a
-- person who hung up before the session took them never reached the rep).
create or replace function active_calls_rep_state() returns trigger language plpgsql security definer
set search_path = public, pg_temp as $$
begin
  if tg_op = 'UPDATE' and new.status = 'completed' and new.answered_at is not null
     and coalesce(new.answered_by, 'human') not like 'machine%' and coalesce(new.answered_by, 'human') <> 'fax'
     and new.abandoned_at is null and new.line_released_at is null
     and (new.session_id is null or new.connected_at is not null) then
    update rep_states set is_wrap_up = true where user_email = new.user_email;
  end if;
  perform dialer_sync_rep_state(new.user_email);
  return null;
end $$;
