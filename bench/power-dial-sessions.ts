/**
 * Power-dial sessions at load (issue 14): BENCH_REPS reps each run a BENCH_LINES-line session at
 * once on one server in demo mode, BENCH_REPS_PER_LIST reps to a list, until every session has
 * worked its list. Prints dials/s, how long an answered person waits to be connected (claim
 * latency), connects and abandonment, and the two things that must never happen: a lost lead
 * (never worked, or left reserved) and a doubled lead (two calls live at once, or dialed twice
 * by the sessions of its list). Exits 1 when either is not 0 or the run did not finish.
 *
 *   npm run bench:sessions                      # PostgreSQL (TEST_DATABASE_URL)
 *   npm run bench:sessions -- --pglite          # the embedded database, as `npm start` runs it
 *   BENCH_LEADS_PER_LIST=200 BENCH_WRAP_UP_MS=3000 npx tsx bench/power-dial-sessions.ts
 *
 * Setup is written in SQL before the server starts (reps, one workspace, lists, leads, each rep's
 * demo settings: AMD on, short timelines, the demo clock at a weekday midday so the gate's calling
 * hours are open). Everything after goes through the public functions as the web app calls them:
 * `startDialerSession` per rep, and each rep's wrap-up ended by `saveDisposition` on the call
 * (BENCH_WRAP_UP_MS after the wrap-up began; `setRepState available` when no call is known).
 * The bench hears every change of `active_calls`, `rep_states` and `dialer_sessions` through the
 * server's realtime as the service role. The figures are read from the tables once the server
 * has stopped (PGlite has one process), so both databases are read by the same queries.
 *
 * Settings: BENCH_REPS (50), BENCH_REPS_PER_LIST (5), BENCH_LINES (3), BENCH_LEADS_PER_LIST
 * (60), BENCH_WRAP_UP_MS (1000), BENCH_TIMEOUT_SECONDS (600), BENCH_DATABASE=pglite (or
 * --pglite), BENCH_PROFILE=<dir>.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenService } from '../src/api/jwt.js';
import { isTerminal, type CallStatus } from '../src/core/call-status.js';
import type { MockConfigInput } from '../src/core/mock-timeline.js';
import type { Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { openPglite } from '../src/db/pglite.js';
import { openPostgres } from '../src/db/postgres.js';
import { describeLatency, describeMachine, envNumber, mib, now, percentiles, sampleRss, sleep, startCpuAccount, summarizeCpuProfile } from './support/measure.js';
import { openPhoenixSocket, type ChangeData } from './support/phoenix.js';
import { BENCH_DATABASE_URL, BENCH_JWT_SECRET, createBenchDatabase, demoClockOffsetSeconds, startBenchServer, type BenchServer } from './support/stack.js';

const IS_PGLITE = process.argv.includes('--pglite') || process.env.BENCH_DATABASE === 'pglite';
const REPS = envNumber('BENCH_REPS', 50);
const REPS_PER_LIST = envNumber('BENCH_REPS_PER_LIST', 5);
const LINES = envNumber('BENCH_LINES', 3);
const LEADS_PER_LIST = envNumber('BENCH_LEADS_PER_LIST', 60);
const WRAP_UP_MS = envNumber('BENCH_WRAP_UP_MS', 1000);
const TIMEOUT_SECONDS = envNumber('BENCH_TIMEOUT_SECONDS', 600);
const LISTS = Math.ceil(REPS / REPS_PER_LIST);
/** Short calls, the default outcome mix (55 % people, 18 % machines, the rest unanswered or failed). */
const MOCK_CONFIG: MockConfigInput = { dialSeconds: 0.5, ringSeconds: [2, 8], talkSeconds: [4, 12], amdSeconds: 2 };
const LIVE: readonly string[] = ['dialing', 'ringing', 'in-progress'];

const line = (text = '') => process.stdout.write(`${text}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface Rep {
  readonly id: string;
  readonly email: string;
  readonly listId: string;
}

/** One workspace: an admin who owns the lists, the reps in demo mode, LISTS lists of LEADS_PER_LIST leads with numbers of their own. */
async function seed(db: Database): Promise<{ reps: Rep[]; listIds: string[] }> {
  const [workspace] = await db.sql<{ id: string }>`insert into workspaces (name) values ('Power-dial bench') returning id`;
  if (!workspace) throw new Error('workspace insert returned nothing');
  const addMember = async (email: string, role: 'admin' | 'rep') => {
    const [user] = await db.sql<{ id: string }>`insert into auth.users (email, encrypted_password) values (${email}, '!') returning id`;
    if (!user) throw new Error('user insert returned nothing');
    await db.sql`insert into workspace_members (user_id, user_email, workspace_id, role) values (${user.id}, ${email}, ${workspace.id}, ${role})`;
    await db.sql`insert into rep_states (user_email, workspace_id) values (${email}, ${workspace.id})`;
    await db.sql`
      insert into dialer_settings (user_email, use_mock_dialer, default_amd, mock_config, demo_clock_offset_seconds)
      values (${email}, true, true, ${JSON.stringify(MOCK_CONFIG)}::text::jsonb, ${demoClockOffsetSeconds()}::integer)`;
    return user.id;
  };
  const admin = 'sessions-bench-admin@example.com';
  await addMember(admin, 'admin');
  const listIds: string[] = [];
  for (let list = 0; list < LISTS; list++) {
    const [row] = await db.sql<{ id: string }>`insert into lead_lists (user_email, name) values (${admin}, ${`Bench list ${list + 1}`}) returning id`;
    if (!row) throw new Error('list insert returned nothing');
    listIds.push(row.id);
    // A number of its own per lead (the gate caps attempts per number), in the list's order by created_at.
    await db.sql`
      insert into leads (user_email, name, phone, list_id, created_at)
      select ${admin}, 'Lead ' || ${list + 1}::integer || '-' || i, '+1415' || (5550000 + ${list * LEADS_PER_LIST}::integer + i)::text, ${row.id}::uuid,
        timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second'
      from generate_series(0, ${LEADS_PER_LIST - 1}::integer) i`;
  }
  const reps: Rep[] = [];
  for (let index = 0; index < REPS; index++) {
    const email = `sessions-bench-rep-${index}@example.com`;
    reps.push({ id: await addMember(email, 'rep'), email, listId: listIds[Math.floor(index / REPS_PER_LIST)] ?? '' });
  }
  return { reps, listIds };
}

/** The database the bench seeds and reads: a fresh PostgreSQL database, or a PGlite data directory the server then opens. */
async function openStack(): Promise<{ open: () => Promise<Database>; start: () => Promise<BenchServer>; dispose: () => Promise<void> }> {
  if (IS_PGLITE) {
    const dataDir = await mkdtemp(join(tmpdir(), 'dialer-bench-sessions-'));
    const pgdata = join(dataDir, 'pgdata'); // where src/main.ts keeps the embedded database
    return {
      open: () => openPglite(pgdata),
      start: () => startBenchServer('', { DATABASE_URL: '', DIALER_DATA_DIR: dataDir }),
      dispose: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const database = await createBenchDatabase();
  return { open: async () => openPostgres(database.url, { max: 2 }), start: () => startBenchServer(database.url), dispose: () => database.dispose() };
}

interface CallSeen {
  record: Record<string, unknown>;
  /** When the bench heard the change that set connected_at (the claim's commit, as a client sees it). */
  claimSeenAt?: number;
}

/**
 * What the bench hears during the run, and the reps' part: each rep in wrap-up saves a
 * disposition on their last answered call WRAP_UP_MS later, as the session screen's form does.
 */
function createFloor(serverUrl: string, anonKey: string, tokenOf: ReadonlyMap<string, string>) {
  const calls = new Map<string, CallSeen>();
  const sessions = new Map<string, Record<string, unknown>>();
  const lastAnswered = new Map<string, string>();
  const pendingWrapUp = new Set<string>();
  const saved = { dispositions: 0, repStates: 0, failures: new Map<string, number>() };
  /** Per rep, when their wrap-up ended (the function answered): the runner should dial on within a pass. */
  const wrapUpEnds: { email: string; at: number }[] = [];

  const post = async (email: string, fn: string, body: unknown) => {
    const response = await fetch(`${serverUrl}/functions/v1/${fn}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', apikey: anonKey, authorization: `Bearer ${tokenOf.get(email) ?? ''}` },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) saved.failures.set(`${fn} ${response.status} ${text.slice(0, 100)}`, (saved.failures.get(`${fn} ${response.status} ${text.slice(0, 100)}`) ?? 0) + 1);
    return response.ok;
  };

  let isClosed = false;
  async function endWrapUp(email: string) {
    try {
      await sleep(WRAP_UP_MS);
      if (isClosed) return;
      const callId = lastAnswered.get(email);
      if (callId && (await post(email, 'saveDisposition', { callId, disposition: 'interested', notes: 'bench' }))) saved.dispositions++;
      else if (await post(email, 'setRepState', { state: 'available' })) saved.repStates++;
      wrapUpEnds.push({ email, at: now() });
    } catch (error) {
      // The server stopping under a rep's request (a run that timed out) is no figure.
      if (!isClosed) saved.failures.set(String(error), (saved.failures.get(String(error)) ?? 0) + 1);
    } finally {
      pendingWrapUp.delete(email);
    }
  }

  function onChange(change: ChangeData, arrivedAt: number) {
    const record = change.record;
    if (!record) return;
    if (change.table === 'active_calls' && record['session_id']) {
      const id = String(record['id']);
      const seen = calls.get(id) ?? { record };
      seen.record = record;
      if (record['connected_at'] && seen.claimSeenAt === undefined) seen.claimSeenAt = arrivedAt;
      calls.set(id, seen);
      const isHuman = record['answered_at'] !== null && !String(record['answered_by'] ?? 'human').startsWith('machine');
      if (isTerminal(record['status'] as CallStatus) && isHuman && !record['abandoned_at']) lastAnswered.set(String(record['user_email']), id);
    } else if (change.table === 'dialer_sessions') {
      sessions.set(String(record['id']), record);
    } else if (change.table === 'rep_states' && record['is_wrap_up'] === true) {
      const email = String(record['user_email']);
      if (!tokenOf.has(email) || pendingWrapUp.has(email)) return;
      pendingWrapUp.add(email);
      void endWrapUp(email);
    }
  }

  return {
    async connect(serviceRoleKey: string) {
      const socket = await openPhoenixSocket(serverUrl, anonKey, onChange);
      const tables = ['active_calls', 'rep_states', 'dialer_sessions'].map((table) => ({ event: '*', schema: 'public', table }));
      await socket.join('sessions-bench', { config: { postgres_changes: tables }, access_token: serviceRoleKey });
      const heartbeat = setInterval(() => socket.ws.send(JSON.stringify([null, 'hb', 'phoenix', 'heartbeat', {}])), 20_000);
      return () => {
        isClosed = true;
        clearInterval(heartbeat);
        socket.ws.close();
      };
    },
    calls,
    sessions,
    saved,
    wrapUpEnds,
    isIdle: () => pendingWrapUp.size === 0,
    liveCalls: () => [...calls.values()].filter(({ record }) => LIVE.includes(String(record['status']))).length,
  };
}

interface CallRow {
  id: string;
  session_id: string;
  user_email: string;
  list_id: string;
  lead_id: string | null;
  line_number: number | null;
  status: string;
  started_at: Date;
  answered_at: Date | null;
  connected_at: Date | null;
  ended_at: Date | null;
  abandoned_at: Date | null;
  history_rows: number;
}

interface SessionRow {
  id: string;
  user_email: string;
  list_id: string;
  status: string;
  stop_reason: string | null;
  dialed: number;
  connected: number;
  voicemail: number;
  abandoned: number;
  skipped: number;
  skipped_reasons: Record<string, number>;
  started_at: Date;
  stopped_at: Date | null;
}

const ms = (time: Date | null) => (time ? new Date(time).getTime() : Number.NaN);

/** Leads with two calls live at the same time: each lead's calls in start order, a call starting before the previous one ended. */
function overlappingLeads(calls: readonly CallRow[]): string[] {
  const byLead = new Map<string, CallRow[]>();
  for (const call of calls) if (call.lead_id) byLead.set(call.lead_id, [...(byLead.get(call.lead_id) ?? []), call]);
  const doubled: string[] = [];
  for (const [lead, own] of byLead) {
    const sorted = own.sort((a, b) => ms(a.started_at) - ms(b.started_at));
    let endOfPrevious = Number.NEGATIVE_INFINITY;
    for (const call of sorted) {
      if (ms(call.started_at) < endOfPrevious) {
        doubled.push(lead);
        break;
      }
      endOfPrevious = Math.max(endOfPrevious, call.ended_at ? ms(call.ended_at) : Number.POSITIVE_INFINITY);
    }
  }
  return doubled;
}

/** The most calls live at once, over the whole run (from started_at and ended_at). */
function peakLive(calls: readonly CallRow[]): number {
  const events = calls.flatMap((call) => [
    { at: ms(call.started_at), step: 1 },
    { at: call.ended_at ? ms(call.ended_at) : Number.POSITIVE_INFINITY, step: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.step - b.step);
  let live = 0;
  let peak = 0;
  for (const event of events) peak = Math.max(peak, (live += event.step));
  return peak;
}

async function main() {
  line(await describeMachine(IS_PGLITE ? undefined : BENCH_DATABASE_URL));
  line(`database: ${IS_PGLITE ? 'embedded PGlite (the server process owns it)' : 'PostgreSQL'}`);
  line(`${REPS} reps, ${LINES}-line sessions, ${REPS_PER_LIST} reps to a list (${LISTS} lists of ${LEADS_PER_LIST} leads); demo mode, AMD on, ring 2-8 s, talk 4-12 s, default outcome mix; wrap-up ended ${WRAP_UP_MS} ms after it began`);
  const stack = await openStack();
  const setupDb = await stack.open();
  await migrate(setupDb);
  const { reps, listIds } = await seed(setupDb);
  await setupDb.close();

  const server = await stack.start();
  const tokens = await createTokenService(BENCH_JWT_SECRET);
  const tokenOf = new Map<string, string>();
  for (const rep of reps) tokenOf.set(rep.email, (await tokens.signAccessToken({ id: rep.id, email: rep.email, sessionId: crypto.randomUUID() })).token);
  const floor = createFloor(server.url, tokens.anonKey, tokenOf);
  const disconnect = await floor.connect(tokens.serviceRoleKey);
  const rss = sampleRss(server.pid);
  const cpu = await startCpuAccount(server.pid);
  let timedOut = false;
  const sessionIds: string[] = [];
  const started = now();
  try {
    // Every rep presses Start at once.
    const answers = await Promise.all(
      reps.map(async (rep) => {
        const response = await fetch(`${server.url}/functions/v1/startDialerSession`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', apikey: tokens.anonKey, authorization: `Bearer ${tokenOf.get(rep.email) ?? ''}` },
          body: JSON.stringify({ listId: rep.listId, lines: LINES }),
        });
        return { status: response.status, body: (await response.json()) as { session?: { id: string }; message?: string } };
      }),
    );
    for (const answer of answers) {
      if (!answer.body.session) throw new Error(`startDialerSession answered ${answer.status}: ${answer.body.message ?? ''}`);
      sessionIds.push(answer.body.session.id);
    }
    line(`started ${sessionIds.length} sessions in ${seconds(now() - started)}`);

    const isDone = () =>
      sessionIds.every((id) => floor.sessions.get(id)?.['status'] === 'stopped') && floor.liveCalls() === 0 && floor.isIdle();
    let nextReport = now() + 10_000;
    while (!isDone()) {
      if (now() - started > TIMEOUT_SECONDS * 1000) {
        timedOut = true;
        break;
      }
      if (now() >= nextReport) {
        nextReport += 10_000;
        const stopped = sessionIds.filter((id) => floor.sessions.get(id)?.['status'] === 'stopped').length;
        line(`  ${seconds(now() - started)}: ${floor.calls.size} calls placed, ${floor.liveCalls()} live, ${stopped}/${sessionIds.length} sessions stopped`);
      }
      await sleep(100);
    }
    const runMs = now() - started;
    line(`${timedOut ? `timed out after ${TIMEOUT_SECONDS} s` : `every session stopped and every call ended after ${seconds(runMs)}`}`);
    line(`  ${await cpu.describe()}; server RSS peak ${mib(rss.stop().peak)}`);
    line(`  wrap-ups ended by the reps: ${floor.saved.dispositions} saveDisposition, ${floor.saved.repStates} setRepState available`);
    for (const [what, count] of floor.saved.failures) line(`  refused: ${count} × ${what}`);
    if (timedOut) {
      for (const rep of reps) {
        const sessionId = sessionIds[reps.indexOf(rep)];
        await fetch(`${server.url}/functions/v1/stopDialerSession`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', apikey: tokens.anonKey, authorization: `Bearer ${tokenOf.get(rep.email) ?? ''}` },
          body: JSON.stringify({ sessionId }),
        });
      }
    }
  } finally {
    rss.stop();
    disconnect();
    await server.stop();
  }

  // The figures, from the tables (the server has stopped: PGlite is the server's alone while it runs).
  const db = await stack.open();
  let failed = timedOut;
  try {
    const sessions = await db.sql<SessionRow>`select * from dialer_sessions where id = any(${`{${sessionIds.join(',')}}`}::uuid[])`;
    const calls = await db.sql<CallRow>`
      select a.id, a.session_id, a.user_email, s.list_id, a.lead_id, a.line_number, a.status, a.started_at, a.answered_at, a.connected_at,
        a.ended_at, a.abandoned_at, (select count(*) from call_logs h where h.active_call_id = a.id)::int as history_rows
      from active_calls a join dialer_sessions s on s.id::text = a.session_id`;
    const [lost] = await db.sql<{ unworked: number; reserved: number; do_not_call: number }>`
      select (select count(*) from leads l where l.list_id = any(${`{${listIds.join(',')}}`}::uuid[]) and l.status <> 'do_not_call'
                and not exists (select 1 from dialer_session_leads w join dialer_sessions s on s.id = w.session_id
                                where w.lead_id = l.id and s.list_id = l.list_id))::int as unworked,
             (select count(*) from lead_reservations)::int as reserved,
             (select count(*) from leads where status = 'do_not_call')::int as do_not_call`;
    const [worked] = await db.sql<{ dialed: number; skipped: number }>`
      select (count(*) filter (where outcome = 'dialed'))::int as dialed, (count(*) filter (where outcome = 'skipped'))::int as skipped from dialer_session_leads`;

    const firstStart = Math.min(...sessions.map((s) => ms(s.started_at)));
    const lastDial = Math.max(...calls.map((c) => ms(c.started_at)));
    const lastStop = Math.max(...sessions.map((s) => ms(s.stopped_at)));
    const sum = (pick: (s: SessionRow) => number) => sessions.reduce((total, s) => total + pick(s), 0);
    const connected = sum((s) => s.connected);
    const abandoned = sum((s) => s.abandoned);
    const skippedReasons = new Map<string, number>();
    for (const s of sessions) for (const [reason, n] of Object.entries(s.skipped_reasons)) skippedReasons.set(reason, (skippedReasons.get(reason) ?? 0) + n);
    const stopReasons = new Map<string, number>();
    for (const s of sessions) stopReasons.set(`${s.status}/${s.stop_reason ?? '-'}`, (stopReasons.get(`${s.status}/${s.stop_reason ?? '-'}`) ?? 0) + 1);

    const claims = calls.filter((c) => c.connected_at && c.answered_at);
    const claimStamped = claims.map((c) => ms(c.connected_at) - ms(c.answered_at));
    const seenAt = (c: CallRow) => floor.calls.get(c.id)?.claimSeenAt ?? Number.NaN;
    const claimSeen = claims.map((c) => seenAt(c) - ms(c.answered_at)).filter(Number.isFinite);
    const passToSeen = claims.map((c) => seenAt(c) - ms(c.connected_at)).filter(Number.isFinite);
    // Wrap-up ended (the function answered) -> the session's next dial.
    const advance: number[] = [];
    for (const end of floor.wrapUpEnds) {
      const next = calls.filter((c) => c.user_email === end.email && ms(c.started_at) >= end.at - 5).map((c) => ms(c.started_at));
      if (next.length > 0) advance.push(Math.min(...next) - end.at);
    }

    const overlapping = overlappingLeads(calls);
    const dialsOfLead = new Map<string, number>();
    for (const c of calls) if (c.lead_id) dialsOfLead.set(`${c.list_id}/${c.lead_id}`, (dialsOfLead.get(`${c.list_id}/${c.lead_id}`) ?? 0) + 1);
    const redialed = [...dialsOfLead.values()].filter((n) => n > 1);
    const notOneHistoryRow = calls.filter((c) => c.history_rows !== 1).length;
    const stillLive = calls.filter((c) => LIVE.includes(c.status)).length;
    const lostLeads = (lost?.unworked ?? 0) + (lost?.reserved ?? 0);
    const doubledLeads = overlapping.length + redialed.length;
    failed ||= lostLeads > 0 || doubledLeads > 0 || notOneHistoryRow > 0 || stillLive > 0;

    line('');
    // A session that found its queue empty while its list-mates still had leads to dial (all reserved or live elsewhere).
    const lastDialOfList = new Map<string, number>();
    for (const c of calls) lastDialOfList.set(c.list_id, Math.max(lastDialOfList.get(c.list_id) ?? 0, ms(c.started_at)));
    const early = sessions.filter((s) => s.stop_reason === 'queue_empty' && ms(s.stopped_at) < (lastDialOfList.get(s.list_id) ?? 0));
    line(`sessions: ${[...stopReasons].map(([what, n]) => `${n} ${what}`).join(', ')}; first start -> last stop ${seconds(lastStop - firstStart)}`);
    line(`  stopped queue_empty while their list was still being dialed by others: ${early.length} (median ${seconds(percentiles(early.map((s) => (lastDialOfList.get(s.list_id) ?? 0) - ms(s.stopped_at))).p50 || 0)} before the list's last dial)`);
    // Lines in use: call-seconds over session-seconds (the abandonment rule drops a list to one line at its limit).
    const callMs = calls.reduce((total, c) => total + ((c.ended_at ? ms(c.ended_at) : lastStop) - ms(c.started_at)), 0);
    const sessionMs = sessions.reduce((total, s) => total + ((s.stopped_at ? ms(s.stopped_at) : lastStop) - ms(s.started_at)), 0);
    line(`calls: ${calls.length} session calls (${worked?.dialed} leads dialed, ${worked?.skipped} skipped: ${[...skippedReasons].map(([r, n]) => `${r} ${n}`).join(', ') || 'none'})`);
    line(`  lines: peak ${peakLive(calls)} live of ${REPS * LINES}; on average ${(callMs / sessionMs).toFixed(2)} lines live per session while it ran`);
    line(`  outcomes: ${connected} connected, ${sum((s) => s.voicemail)} voicemail, ${abandoned} abandoned; still live ${stillLive}; not exactly one history row ${notOneHistoryRow}`);
    line(`claim, answer -> connected_at (the runner's stamp, its pass's start): ${describeLatency(percentiles(claimStamped), 0)}`);
    line(`claim, answer -> the claim heard by a client (realtime):             ${describeLatency(percentiles(claimSeen), 0)}`);
    line(`  pass start (connected_at) -> claim heard: ${describeLatency(percentiles(passToSeen), 0)}   (runner pass every 250 ms)`);
    line(`wrap-up ended (disposition saved) -> the session's next dial: ${describeLatency(percentiles(advance), 0)}`);
    line(`lost leads: ${lost?.unworked} never dialed nor skipped by a session of their list, ${lost?.reserved} left reserved   (${lost?.do_not_call} do_not_call leads not counted)`);
    line(`doubled leads: ${overlapping.length} with two calls live at once, ${redialed.length} dialed more than once by their list's sessions (${redialed.reduce((a, n) => a + n - 1, 0)} extra dials)`);

    line('');
    line(`== power-dial sessions, ${REPS} reps x ${LINES} lines, ${LISTS} shared lists, ${IS_PGLITE ? 'PGlite' : 'PostgreSQL'}${timedOut ? ' (TIMED OUT)' : ''}`);
    const rows: [string, string][] = [
      ['dials/s (session calls placed / first start -> last dial)', `${(calls.length / ((lastDial - firstStart) / 1000)).toFixed(1)}  (${calls.length} in ${seconds(lastDial - firstStart)})`],
      ['claim latency p50 / p99 (answer -> connected_at)', `${percentiles(claimStamped).p50.toFixed(0)} ms / ${percentiles(claimStamped).p99.toFixed(0)} ms`],
      ['claim latency p50 / p99 (answer -> heard by a client)', `${percentiles(claimSeen).p50.toFixed(0)} ms / ${percentiles(claimSeen).p99.toFixed(0)} ms`],
      ['connects', String(connected)],
      ['abandoned (rate of people answered)', `${abandoned} (${((abandoned * 100) / Math.max(1, connected + abandoned)).toFixed(1)} %)`],
      ['lost leads (must be 0)', String(lostLeads)],
      ['doubled leads (must be 0)', String(doubledLeads)],
    ];
    for (const [what, value] of rows) line(`${what.padEnd(58)} ${value}`);
    line(failed ? 'FAILED: lost or doubled leads, calls not ended with one history row, or the run did not finish' : 'ok: no lead lost, none doubled');
  } finally {
    await db.close();
    await stack.dispose();
    if (process.env.BENCH_PROFILE) line(await summarizeCpuProfile(process.env.BENCH_PROFILE, server.pid));
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
