-- Realtime: every committed change to a table clients can subscribe to is announced on the
-- `dialer_changes` channel. NOTIFY is delivered at commit, in commit order, to every listening
-- server process, so a change made by any writer (psql included) reaches subscribers.
create function dialer_notify_change() returns trigger language plpgsql as $$
declare
  message jsonb;
  record_json jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
  old_json jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
  key_column text := tg_argv[0];
begin
  message := jsonb_build_object(
    'schema', tg_table_schema,
    'table', tg_table_name,
    'type', tg_op,
    'commit_timestamp', to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'record', record_json,
    'old_record', old_json);
  -- A NOTIFY payload must stay under 8000 bytes; a larger row is announced by its key and
  -- read back by the listener.
  if octet_length(message::text) > 7000 then
    message := jsonb_build_object(
      'schema', tg_table_schema,
      'table', tg_table_name,
      'type', tg_op,
      'commit_timestamp', message ->> 'commit_timestamp',
      'key', jsonb_build_object(key_column, coalesce(record_json, old_json) -> key_column),
      'owner', coalesce(record_json, old_json) -> 'user_email');
  end if;
  perform pg_notify('dialer_changes', message::text);
  return null;
end $$;

create trigger active_calls_changes after insert or update or delete on active_calls
  for each row execute function dialer_notify_change('id');
create trigger leads_changes after insert or update or delete on leads
  for each row execute function dialer_notify_change('id');
create trigger call_logs_changes after insert or update or delete on call_logs
  for each row execute function dialer_notify_change('id');
create trigger user_stats_changes after insert or update or delete on user_stats
  for each row execute function dialer_notify_change('user_email');
create trigger dialer_settings_changes after insert or update or delete on dialer_settings
  for each row execute function dialer_notify_change('user_email');
