-- The power-dial session runner (issue 14, src/db/dialer-session-runner.ts): which server process
-- drives a session, what the runner has settled, and why a session sits idle.

-- A session is driven by one process at a time (PD2 across processes): a process takes the lease
-- with `update ... where runner_id is null or runner_id = me or runner_until <= now` and renews it
-- each pass; a lease not renewed lapses (src/core/dialer-session-runner.ts RUNNER_LEASE_SECONDS)
-- and another process takes the session over.
alter table dialer_sessions
  add column runner_id text,
  add column runner_until timestamptz,
  -- Why a live session places no calls, in a sentence for the rep (e.g. Twilio mode, not run yet); null when it dials.
  add column idle_reason text;

-- The runner has counted this lead's call's end (voicemail, abandonment, the connection freed):
-- set once, in the transaction that counts it, so nothing is counted twice.
alter table dialer_session_leads add column settled_at timestamptz;
create index dialer_session_leads_unsettled on dialer_session_leads (session_id) where outcome = 'dialed' and settled_at is null;

-- As migration 0011 defines it, except that an abandoned call leaves no wrap-up: its callee heard
-- the safe-harbor message and never spoke with the rep, so there is nothing to write up (a losing
-- line of a power-dial session must not hold up the session's next dial).
create or replace function active_calls_rep_state() returns trigger language plpgsql security definer
set search_path = public, pg_temp as $$
begin
  if tg_op = 'UPDATE' and new.status = 'completed' and new.answered_at is not null
     and coalesce(new.answered_by, 'human') not like 'machine%' and new.abandoned_at is null then
    update rep_states set is_wrap_up = true where user_email = new.user_email;
  end if;
  perform dialer_sync_rep_state(new.user_email);
  return null;
end $$;
