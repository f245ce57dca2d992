-- The power-dial session queue in one place (issue 14): which leads a session would dial next, and
-- in what order. The runner reserves from it (src/db/dialer-sessions.ts reserveNextLeads, which
-- locks the rows it takes) and the session screen shows it (src/db/dialer-session-view.ts), so the
-- two never disagree. A plain SQL function over one SELECT: the planner inlines it into the
-- caller's query. The order's keys come back as columns (src/core/dialer-session.ts QUEUE_ORDER):
-- `is_due_callback` desc, `due_at`, `created_at`, `id`.
--
-- Never in the queue: leads outside the session's list or filter; `do_not_call` leads; a lead with
-- a live call (any rep); a lead under an unexpired reservation (any session); a lead the session
-- worked or placed a call to; a lead called in the list's current pass (`last_called_at` at or
-- after the earliest start of the list's live sessions: reps sharing a list work it once between
-- them), unless a callback set after that call is due. A session whose list is archived has an
-- empty queue; a paused or stopped one has the queue it would dial (the runner reserves for active
-- sessions only).
create function dialer_session_queue(p_session_id uuid, p_at timestamptz)
returns table (id uuid, is_due_callback boolean, due_at timestamptz, created_at timestamptz)
language sql stable
set search_path = public, pg_temp
as $$
  select l.id,
    coalesce(l.callback_at <= p_at, false) as is_due_callback,
    case when l.callback_at <= p_at then l.callback_at end as due_at,
    l.created_at
  from dialer_sessions s
  join lead_lists ll on ll.id = s.list_id and ll.archived_at is null
  join leads l on l.list_id = s.list_id and l.workspace_id = s.workspace_id
  where s.id = p_session_id
    and l.status <> 'do_not_call'
    and (s.filter -> 'statuses' is null or l.status in (select jsonb_array_elements_text(s.filter -> 'statuses')))
    and (coalesce((s.filter ->> 'callbacksOnly')::boolean, false) = false or l.callback_at <= p_at)
    and (l.last_called_at is null
      or l.last_called_at < (select min(x.started_at) from dialer_sessions x where x.list_id = s.list_id and x.status in ('active', 'paused'))
      or (l.callback_at > l.last_called_at and l.callback_at <= p_at))
    and not exists (select 1 from active_calls a where a.lead_id = l.id and a.status in ('dialing', 'ringing', 'in-progress'))
    and not exists (select 1 from lead_reservations r where r.lead_id = l.id and r.expires_at > p_at)
    and not exists (select 1 from dialer_session_leads w where w.session_id = s.id and w.lead_id = l.id)
    and not exists (select 1 from active_calls a where a.session_id = s.id::text and a.lead_id = l.id)
$$;
revoke all on function dialer_session_queue(uuid, timestamptz) from public;
grant execute on function dialer_session_queue(uuid, timestamptz) to service_role;
