-- Realtime by workspace: a row too large for NOTIFY is announced by its key, its owner and now
-- its workspace, so a change whose row cannot be read back (a DELETE) still reaches the admins and
-- managers of that workspace (src/realtime/authorize.ts decides by user_email and workspace_id).
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
      'owner', coalesce(record_json, old_json) -> 'user_email',
      'workspace', coalesce(record_json, old_json) -> 'workspace_id')::text;
  end if;
  perform pg_notify('dialer_changes', message);
  return null;
end $$;
