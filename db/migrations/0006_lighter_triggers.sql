-- The triggers on active_calls run on every status change; keep their per-row work small.

-- Whether a status is terminal, as an immutable expression the planner can fold instead of a
-- query per call. It must agree with call_statuses.is_terminal (a test checks every status).
create or replace function dialer_is_terminal(call_status text) returns boolean language sql immutable as $$
  select call_status in ('completed', 'failed', 'no-answer', 'busy', 'canceled', 'voicemail_detected')
$$;

-- The change announcement, serialised to text once instead of three times.
create or replace function dialer_notify_change() returns trigger language plpgsql as $$
declare
  record_json jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
  old_json jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
  commit_timestamp text := to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
  key_column text := tg_argv[0];
  message text;
begin
  message := jsonb_build_object(
    'schema', tg_table_schema, 'table', tg_table_name, 'type', tg_op,
    'commit_timestamp', commit_timestamp, 'record', record_json, 'old_record', old_json)::text;
  -- A NOTIFY payload must stay under 8000 bytes; a larger row is announced by its key and
  -- read back by the listener.
  if octet_length(message) > 7000 then
    message := jsonb_build_object(
      'schema', tg_table_schema, 'table', tg_table_name, 'type', tg_op,
      'commit_timestamp', commit_timestamp,
      'key', jsonb_build_object(key_column, coalesce(record_json, old_json) -> key_column),
      'owner', coalesce(record_json, old_json) -> 'user_email')::text;
  end if;
  perform pg_notify('dialer_changes', message);
  return null;
end $$;
