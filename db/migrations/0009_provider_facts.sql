-- TR3: a Twilio call's final row is a function of the facts Twilio reported, not of their order.
-- A call can only be finished once every fact that decides its outcome is in (ST2 forbids
-- correcting it later), so a row keeps what Twilio reported of the call's end until then:
-- a `completed` that came before the answering-machine verdict waits here for the verdict.
alter table active_calls
  add column reported_status text check (reported_status in ('completed', 'busy', 'no-answer', 'failed', 'canceled')),
  add column reported_ended_at timestamptz,
  add column reported_duration_seconds integer check (reported_duration_seconds >= 0),
  -- When the rep asked to end the call. A Twilio call the rep ends stays live until Twilio says
  -- how it ended (the real call is still up until then), so the history shows Twilio's outcome.
  add column end_requested_at timestamptz;
