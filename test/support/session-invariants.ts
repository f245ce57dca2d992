import { answerVerdict } from '../../src/core/dialer-session-runner.js';
import type { Database, Queryable } from '../../src/db/database.js';

/**
 * Issue 14's invariants of power-dial sessions, read from the rows alone (PD1, PD2, HI1), for the
 * property and crash tests: each check returns sentences naming what broke (empty: all hold), so
 * a seeded run can print them with its seed.
 * - `findLiveViolations` holds at every instant: at most one live connected call per session and
 *   the session's `connected_call_id` one of its calls connected to the rep; no lead with two live
 *   calls, and none both reserved and live; no lead dialed twice by one session; each ended call
 *   has exactly one `call_logs` row; `dialed`, `connected`, `abandoned` equal the rows; every
 *   abandoned call heard the safe-harbor message.
 * - `findSettledViolations` holds once the sessions have stopped and every call is settled: no
 *   live call or reservation left, and besides the above, `voicemail` equals the machine verdicts,
 *   and every human who answered was either connected or abandoned with the message played (in
 *   the call's row and its history row); and, unless told otherwise, the connected calls' times
 *   (connected_at to ended_at) do not overlap.
 */

const LIVE = ['dialing', 'ringing', 'in-progress'];

interface SessionCallRow {
  id: string;
  session_id: string;
  lead_id: string | null;
  status: string;
  answered_at: Date | null;
  answered_by: string | null;
  amd_enabled: boolean;
  connected_at: Date | null;
  abandoned_at: Date | null;
  safe_harbor_at: Date | null;
  started_at: Date;
  ended_at: Date | null;
  logs: number;
  log_abandoned_at: Date | null;
  log_safe_harbor_at: Date | null;
}

interface SessionCountersRow {
  id: string;
  status: string;
  dialed: number;
  connected: number;
  voicemail: number;
  abandoned: number;
  connected_call_id: string | null;
  worked_dialed: number;
}

/** Every call of the sessions with its history rows counted. */

/** A person who hung up before the session saw them is abandoned with no message played (nobody was there to hear it). */
const hungUpFirst = (call: { readonly abandoned_at: Date | null; readonly ended_at: Date | null }): boolean =>
  call.abandoned_at !== null && call.ended_at !== null && call.abandoned_at.getTime() >= call.ended_at.getTime();

export async function readSessionCalls(db: Queryable, sessionIds: readonly string[]): Promise<SessionCallRow[]> {
  return db.sql<SessionCallRow>`
    select a.id, a.session_id, a.lead_id, a.status, a.answered_at, a.answered_by, a.amd_enabled, a.connected_at, a.abandoned_at,
      a.safe_harbor_at, a.started_at, a.ended_at, count(c.id)::int as logs, max(c.abandoned_at) as log_abandoned_at, max(c.safe_harbor_at) as log_safe_harbor_at
    from active_calls a left join call_logs c on c.active_call_id = a.id
    where a.session_id = any(${sessionIds}::text[])
    group by a.id order by a.started_at, a.id`;
}

async function readCounters(db: Queryable, sessionIds: readonly string[]): Promise<SessionCountersRow[]> {
  return db.sql<SessionCountersRow>`
    select s.id, s.status, s.dialed, s.connected, s.voicemail, s.abandoned, s.connected_call_id,
      (select count(*)::int from dialer_session_leads w where w.session_id = s.id and w.outcome = 'dialed') as worked_dialed
    from dialer_sessions s where s.id = any(${sessionIds}::uuid[]) order by s.id`;
}

const isLive = (status: string) => LIVE.includes(status);

/** The reads in one snapshot: while servers run, rows read one after another would not agree. */
async function inSnapshot<T>(db: Database, work: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.sql`set transaction isolation level repeatable read`;
    return work(tx);
  });
}

/** The invariants that hold at every instant (see the file's comment). */
export async function findLiveViolations(db: Database, sessionIds: readonly string[]): Promise<string[]> {
  const [calls, sessions, reservedLive] = await inSnapshot(db, async (tx) => [
    await readSessionCalls(tx, sessionIds),
    await readCounters(tx, sessionIds),
    await tx.sql<{ lead_id: string; session_id: string; call_id: string }>`
      select r.lead_id, r.session_id, a.id as call_id from lead_reservations r
      join active_calls a on a.lead_id = r.lead_id and a.status in ('dialing', 'ringing', 'in-progress')
      where r.session_id = any(${sessionIds}::uuid[])`,
  ] as const);
  const problems: string[] = [];
  const byId = new Map(calls.map((call) => [call.id, call]));
  for (const session of sessions) {
    const own = calls.filter((call) => call.session_id === session.id);
    const liveConnected = own.filter((call) => isLive(call.status) && call.connected_at !== null);
    if (liveConnected.length > 1) problems.push(`PD1 session ${session.id} has ${liveConnected.length} live connected calls: ${liveConnected.map((c) => c.id).join(', ')}`);
    if (session.connected_call_id !== null) {
      const connected = byId.get(session.connected_call_id);
      if (!connected || connected.connected_at === null || connected.abandoned_at !== null) {
        problems.push(`PD1 session ${session.id} names ${session.connected_call_id} connected, but that call is ${connected ? `connected_at ${String(connected.connected_at)}, abandoned_at ${String(connected.abandoned_at)}` : 'not one of its calls'}`);
      }
    }
    for (const call of liveConnected) {
      if (session.connected_call_id !== call.id) problems.push(`PD1 call ${call.id} is live and connected, but session ${session.id} names ${String(session.connected_call_id)}`);
    }
    for (const call of own) {
      if (call.connected_at !== null && call.abandoned_at !== null) problems.push(`PD1 call ${call.id} is both connected and abandoned`);
      if (call.connected_at !== null && answerVerdict(call) === 'machine') problems.push(`PD1 call ${call.id} was connected to the rep but a machine answered (${String(call.answered_by)})`);
      if (call.abandoned_at !== null && call.safe_harbor_at === null && !hungUpFirst(call)) problems.push(`PD1 call ${call.id} is abandoned without the safe-harbor message`);
      if (!isLive(call.status) && call.logs !== 1) problems.push(`HI1 call ${call.id} ended ${call.status} with ${call.logs} history rows`);
      if (isLive(call.status) && call.logs !== 0) problems.push(`HI1 call ${call.id} is ${call.status} but has ${call.logs} history rows`);
    }
    const counted = {
      dialed: own.length,
      connected: own.filter((call) => call.connected_at !== null).length,
      abandoned: own.filter((call) => call.abandoned_at !== null).length,
    };
    if (session.dialed !== counted.dialed || session.worked_dialed !== counted.dialed) {
      problems.push(`counters: session ${session.id} dialed ${session.dialed}, worked-dialed ${session.worked_dialed}, but has ${counted.dialed} calls`);
    }
    if (session.connected !== counted.connected) problems.push(`counters: session ${session.id} connected ${session.connected}, but ${counted.connected} calls were connected`);
    if (session.abandoned !== counted.abandoned) problems.push(`counters: session ${session.id} abandoned ${session.abandoned}, but ${counted.abandoned} calls are abandoned`);
  }
  const liveByLead = new Map<string, string[]>();
  const bySessionLead = new Map<string, string[]>();
  for (const call of calls) {
    if (call.lead_id === null) continue;
    if (isLive(call.status)) liveByLead.set(call.lead_id, [...(liveByLead.get(call.lead_id) ?? []), call.id]);
    const key = `${call.session_id}/${call.lead_id}`;
    bySessionLead.set(key, [...(bySessionLead.get(key) ?? []), call.id]);
  }
  for (const [leadId, ids] of liveByLead) if (ids.length > 1) problems.push(`PD2 lead ${leadId} has ${ids.length} live calls at once: ${ids.join(', ')}`);
  for (const [key, ids] of bySessionLead) if (ids.length > 1) problems.push(`PD2 session/lead ${key} was dialed ${ids.length} times: ${ids.join(', ')}`);
  for (const row of reservedLive) problems.push(`PD2 lead ${row.lead_id} is reserved by session ${row.session_id} while call ${row.call_id} to it is live`);
  return problems;
}

/** The invariants that hold once the sessions have stopped and every call has ended and been settled. */
export async function findSettledViolations(
  db: Database,
  sessionIds: readonly string[],
  options: { readonly isConnectionTimeChecked?: boolean } = {},
): Promise<string[]> {
  const problems = await findLiveViolations(db, sessionIds);
  const [calls, sessions, leftovers] = await inSnapshot(db, async (tx) => [
    await readSessionCalls(tx, sessionIds),
    await readCounters(tx, sessionIds),
    await tx.sql<{ reserved: number; unsettled: number }>`
      select (select count(*)::int from lead_reservations where session_id = any(${sessionIds}::uuid[])) as reserved,
        (select count(*)::int from dialer_session_leads where session_id = any(${sessionIds}::uuid[]) and outcome = 'dialed' and settled_at is null) as unsettled`,
  ] as const);
  const [left] = leftovers;
  if ((left?.reserved ?? 0) > 0) problems.push(`PD2 ${left?.reserved} reservations left after the sessions stopped`);
  if ((left?.unsettled ?? 0) > 0) problems.push(`${left?.unsettled} dialed leads never settled`);
  for (const session of sessions) {
    if (session.status !== 'stopped') problems.push(`session ${session.id} is ${session.status}, not stopped`);
    if (session.connected_call_id !== null) problems.push(`PD1 stopped session ${session.id} still names ${session.connected_call_id} connected`);
    const own = calls.filter((call) => call.session_id === session.id);
    const machines = own.filter((call) => answerVerdict(call) === 'machine').length;
    if (session.voicemail !== machines) problems.push(`counters: session ${session.id} voicemail ${session.voicemail}, but ${machines} calls reached a machine`);
    for (const call of own) {
      if (isLive(call.status)) problems.push(`RS1 call ${call.id} is still ${call.status}`);
      if (answerVerdict(call) !== 'human' || call.connected_at !== null) continue;
      if (call.abandoned_at === null || (call.safe_harbor_at === null && !hungUpFirst(call))) {
        problems.push(`PD1 call ${call.id}: a person answered (${String(call.answered_by)}), was never connected, yet abandoned_at ${String(call.abandoned_at)}, safe_harbor_at ${String(call.safe_harbor_at)}`);
      } else if (call.log_abandoned_at === null || (call.log_safe_harbor_at === null) !== (call.safe_harbor_at === null)) {
        problems.push(`HI1 call ${call.id} is abandoned but its history row says abandoned_at ${String(call.log_abandoned_at)}, safe_harbor_at ${String(call.log_safe_harbor_at)}`);
      }
    }
    // One person on the rep's line at a time, in the rows' own times (a call's connection lasts until it ended).
    // Off where a test stalls a pass: its stamps are then its start time, earlier than the claim itself.
    if (options.isConnectionTimeChecked === false) continue;
    const connected = own.filter((call) => call.connected_at !== null).sort((a, b) => (a.connected_at?.getTime() ?? 0) - (b.connected_at?.getTime() ?? 0));
    for (let i = 1; i < connected.length; i++) {
      const before = connected[i - 1];
      const after = connected[i];
      if (before && after && (before.ended_at === null || (after.connected_at?.getTime() ?? 0) < before.ended_at.getTime())) {
        problems.push(`PD1 session ${session.id}: call ${after.id} was connected at ${after.connected_at?.toISOString()} while ${before.id} (connected ${before.connected_at?.toISOString()}) had not ended (${before.ended_at?.toISOString() ?? 'never'})`);
      }
    }
  }
  return problems;
}

/**
 * PD2 over time, for runs on real clocks: no lead had two calls whose lives (started_at to
 * ended_at) overlap. A call still live counts as lasting until now.
 */
export async function findOverlappingLeadCalls(db: Queryable, sessionIds: readonly string[]): Promise<string[]> {
  const rows = await db.sql<{ lead_id: string; first: string; second: string }>`
    select a.lead_id, a.id as first, b.id as second from active_calls a
    join active_calls b on b.lead_id = a.lead_id and b.id > a.id
    where a.session_id = any(${sessionIds}::text[]) and b.session_id = any(${sessionIds}::text[])
      and a.started_at < coalesce(b.ended_at, 'infinity') and b.started_at < coalesce(a.ended_at, 'infinity')`;
  return rows.map((row) => `PD2 lead ${row.lead_id} had calls ${row.first} and ${row.second} live at the same time`);
}
