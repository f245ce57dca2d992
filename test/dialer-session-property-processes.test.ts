import { describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { DATABASE_KINDS } from './support/databases.js';
import { useServerProcesses, type ServerProcess } from './support/server-process.js';
import { findLiveViolations, findOverlappingLeadCalls, findSettledViolations } from './support/session-invariants.js';
import { addSeededList, addSessionReps, saveWrapUp, shortDemoConfig, startSessionOver } from './support/session-processes.js';

const SECRET = 'session-property-processes-secret-long-enough';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Issue 14's "done when" with two server processes (PD1, PD2, HI1): two real servers in demo mode
 * on one PostgreSQL database; two reps of one workspace each start a 3-line session over HTTP on
 * one list of 20 leads (ids drawn from the seed, so each lead's demo call plays the same way every
 * run) with short timelines mixing people, machines, no answers and busy lines. The reps save a
 * disposition at each wrap-up (through whichever server), and half-way one server is stopped
 * (SIGTERM: its leases are given up, the other takes its sessions over) and started again. Once both
 * sessions stop `queue_empty`, the rows must satisfy findSettledViolations, with the connected
 * calls' times not overlapping (real clocks here), no lead's calls overlapping in time, and every
 * lead has been worked; findLiveViolations is sampled while they run.
 */
describe.each(DATABASE_KINDS.filter((kind) => kind !== 'pglite'))('PD1 PD2 HI1 two reps\' 3-line demo sessions on one list, run by two server processes on %s', { timeout: 240_000 }, (kind) => {
  const { storage, start, onCleanup } = useServerProcesses(kind, SECRET);

  it.each([[7], [8]])('seed %i: both sessions run to queue_empty; one human connected at a time, every other person abandoned with the message, no lead dialed twice at once, one history row per call', async (seed) => {
    const store = await storage();
    const db: Database = await store.open();
    onCleanup(() => db.close());
    const servers: ServerProcess[] = [await start(store.env), await start(store.env)];
    const config = shortDemoConfig({ completed: 4, voicemail_detected: 3, 'no-answer': 2, busy: 1 });
    const { adminEmail, reps } = await addSessionReps(db, SECRET, 2, config);
    const { listId, leadIds } = await addSeededList(db, adminEmail, seed, 20, 5);

    const sessionIds: string[] = [];
    for (const [index, rep] of reps.entries()) sessionIds.push(await startSessionOver(rep.clientOf(servers[index % 2]?.url ?? ''), listId, 3));

    let hasRestarted = false;
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`seed ${seed}: the sessions did not stop in time: ${JSON.stringify(await db.sql`select status, pause_reason, dialed from dialer_sessions where id = any(${sessionIds}::uuid[])`)}`);
      for (const [index, rep] of reps.entries()) await saveWrapUp(db, rep.clientOf(servers[(index + 1) % 2]?.url ?? ''), rep.email);
      const [progress] = await db.sql<{ dialed: number; open: number; live: number; unsettled: number }>`
        select (select coalesce(sum(dialed), 0)::int from dialer_sessions where id = any(${sessionIds}::uuid[])) as dialed,
          (select count(*)::int from dialer_sessions where id = any(${sessionIds}::uuid[]) and status <> 'stopped') as open,
          (select count(*)::int from active_calls where session_id = any(${sessionIds}::text[]) and status in ('dialing', 'ringing', 'in-progress')) as live,
          (select count(*)::int from dialer_session_leads where session_id = any(${sessionIds}::uuid[]) and outcome = 'dialed' and settled_at is null) as unsettled`;
      // The invariants of every instant, sampled while the processes run.
      const seen = await findLiveViolations(db, sessionIds);
      if (seen.length > 0) throw new Error(`seed ${seed}, while running:\n${seen.join('\n')}`);
      if (progress && progress.open === 0 && progress.live === 0 && progress.unsettled === 0) break;
      // Half-way, one server leaves cleanly (its leases given up) and comes back.
      if (!hasRestarted && (progress?.dialed ?? 0) >= 10) {
        hasRestarted = true;
        const leaving = servers[seed % 2];
        await leaving?.stop('SIGTERM');
        servers[seed % 2] = await start(store.env);
      }
      await sleep(200);
    }

    const problems = [...(await findSettledViolations(db, sessionIds)), ...(await findOverlappingLeadCalls(db, sessionIds))];
    const sessions = await db.sql<{ stop_reason: string | null; dialed: number; connected: number; abandoned: number; voicemail: number; skipped: number }>`
      select stop_reason, dialed, connected, abandoned, voicemail, skipped from dialer_sessions where id = any(${sessionIds}::uuid[])`;
    const [worked] = await db.sql<{ count: number }>`select count(distinct lead_id)::int as count from dialer_session_leads where session_id = any(${sessionIds}::uuid[])`;
    const context = `seed ${seed}: ${JSON.stringify(sessions)}`;
    expect(problems, context).toEqual([]);
    expect(sessions.map((session) => session.stop_reason), context).toEqual(['queue_empty', 'queue_empty']);
    expect(worked?.count, context).toBe(leadIds.length);
    expect(hasRestarted, context).toBe(true);
  });
});
