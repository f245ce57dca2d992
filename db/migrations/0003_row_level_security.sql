-- AU1 as Supabase does it: requests run as role `authenticated` with the caller's claims in
-- `request.jwt.claims`, and each user reads and changes only their own rows.

alter table dialer_settings enable row level security;
alter table leads enable row level security;
alter table active_calls enable row level security;
alter table call_logs enable row level security;
alter table user_stats enable row level security;
alter table twilio_call_logs enable row level security;
alter table call_statuses enable row level security;
alter table call_status_transitions enable row level security;

create policy own_settings on dialer_settings for all to authenticated
  using (user_email = auth.email()) with check (user_email = auth.email());

create policy own_leads on leads for all to authenticated
  using (user_email = auth.email()) with check (user_email = auth.email());

create policy own_calls_read on active_calls for select to authenticated
  using (user_email = auth.email());
create policy own_calls_change on active_calls for update to authenticated
  using (user_email = auth.email()) with check (user_email = auth.email());

create policy own_history_read on call_logs for select to authenticated
  using (user_email = auth.email());
create policy own_history_change on call_logs for update to authenticated
  using (user_email = auth.email()) with check (user_email = auth.email());

create policy own_stats on user_stats for select to authenticated
  using (user_email = auth.email());

create policy statuses_readable on call_statuses for select to anon, authenticated using (true);
create policy transitions_readable on call_status_transitions for select to anon, authenticated using (true);

-- Calls are placed and ended through the functions (which check numbers and lines); a user
-- may update their own call row (the status machine still guards it) but never insert one.
grant select, insert, update, delete on dialer_settings, leads to authenticated;
grant select, update on active_calls to authenticated;
grant select on call_logs, user_stats to authenticated;
grant update (disposition, notes) on call_logs to authenticated;
grant select on call_statuses, call_status_transitions to anon, authenticated;

grant all on all tables in schema public to service_role;
grant all on all sequences in schema public to service_role;
