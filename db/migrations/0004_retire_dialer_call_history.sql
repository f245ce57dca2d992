-- The seed kept finished calls in dialer_call_history; call_logs replaces it. Move every row,
-- field by field, then drop the table. A row whose call_sid is already in call_logs is the
-- same call and is not copied twice.
insert into call_logs (
  call_sid, user_email, lead_id, lead_name, to_number, outcome, status_source, is_mock, provider,
  started_at, answered_at, ended_at, talk_seconds, recording_url, last_error, notes, created_at)
select
  h.call_sid,
  lower(h.user_email),
  (select l.id from leads l where l.id = h.lead_id),
  h.lead_name,
  h.phone_number,
  m.outcome,
  'system',
  coalesce(h.is_mock, false),
  case when coalesce(h.is_mock, false) then 'mock' else 'twilio' end,
  coalesce(h.started_at, h.created_at),
  case when m.outcome = 'completed' and coalesce(h.duration, 0) > 0
       then coalesce(h.ended_at, h.created_at) - make_interval(secs => h.duration) end,
  coalesce(h.ended_at, h.started_at, h.created_at),
  coalesce(h.duration, 0),
  h.recording_url,
  m.unknown_status,
  h.notes,
  h.created_at
from dialer_call_history h
cross join lateral (
  select
    case lower(coalesce(h.status, ''))
      when 'completed' then 'completed' when 'ended' then 'completed'
      when 'connected' then 'completed' when 'in-progress' then 'completed'
      when 'no-answer' then 'no-answer' when 'no_answer' then 'no-answer'
      when 'busy' then 'busy' when 'failed' then 'failed'
      when 'canceled' then 'canceled' when 'cancelled' then 'canceled'
      when 'voicemail' then 'voicemail_detected' when 'voicemail_detected' then 'voicemail_detected'
      else 'failed'
    end as outcome,
    case when lower(coalesce(h.status, '')) in ('completed', 'ended', 'connected', 'in-progress', 'no-answer',
      'no_answer', 'busy', 'failed', 'canceled', 'cancelled', 'voicemail', 'voicemail_detected') then null
      else 'Migrated from dialer_call_history with unknown status "' || coalesce(h.status, '') || '"' end as unknown_status
) m
where h.call_sid is null or not exists (select 1 from call_logs c where c.call_sid = h.call_sid);

drop table dialer_call_history;
