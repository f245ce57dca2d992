-- Realtime capture by logical decoding (PostgreSQL with wal_level = logical), with the triggers
-- and NOTIFY of migrations 0005/0006 as the fallback (PGlite, or a server without logical WAL).

-- Which capture this database uses, decided by the database alone so that every session agrees:
-- each server process reads it at start, and the NOTIFY triggers below fire only when it says
-- 'notify'. `alter database <name> set dialer.change_capture = 'notify'` keeps NOTIFY on a server
-- with logical WAL (for sessions that start afterwards: restart the server processes).
create function dialer_change_capture() returns text language sql stable as $$
  select case
    when current_setting('dialer.change_capture', true) = 'notify' then 'notify'
    when current_setting('wal_level') = 'logical' then 'logical'
    else 'notify'
  end
$$;

-- The same triggers, queued only under NOTIFY capture: under logical capture no trigger runs and
-- no NOTIFY is sent in the write path (the WAL already carries every change).
drop trigger active_calls_changes on active_calls;
drop trigger leads_changes on leads;
drop trigger call_logs_changes on call_logs;
drop trigger user_stats_changes on user_stats;
drop trigger dialer_settings_changes on dialer_settings;
create trigger active_calls_changes after insert or update or delete on active_calls
  for each row when (dialer_change_capture() = 'notify') execute function dialer_notify_change('id');
create trigger leads_changes after insert or update or delete on leads
  for each row when (dialer_change_capture() = 'notify') execute function dialer_notify_change('id');
create trigger call_logs_changes after insert or update or delete on call_logs
  for each row when (dialer_change_capture() = 'notify') execute function dialer_notify_change('id');
create trigger user_stats_changes after insert or update or delete on user_stats
  for each row when (dialer_change_capture() = 'notify') execute function dialer_notify_change('user_email');
create trigger dialer_settings_changes after insert or update or delete on dialer_settings
  for each row when (dialer_change_capture() = 'notify') execute function dialer_notify_change('user_email');

-- Updates and deletes carry the whole old row (old_record, and the owner a DELETE is routed by).
alter table active_calls replica identity full;
alter table leads replica identity full;
alter table call_logs replica identity full;
alter table user_stats replica identity full;
alter table dialer_settings replica identity full;

-- Readiness probes: each server process writes its own row, which travels the same path as a
-- real change (the WAL and the publication, or the trigger and NOTIFY) back to that process.
-- Its own schema: no request role may use it.
create schema realtime_capture;
create table realtime_capture.probes (
  process uuid primary key,
  probe bigint not null
);
create trigger probes_changes after insert or update or delete on realtime_capture.probes
  for each row when (dialer_change_capture() = 'notify') execute function dialer_notify_change('process');

-- What logical capture streams. A table added to realtime must be added here too.
create publication dialer_realtime for table
  active_calls, leads, call_logs, user_stats, dialer_settings, realtime_capture.probes;
