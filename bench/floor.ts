/**
 * The manager's floor under a busy team: 50 simulated reps × 3 lines of demo calls for 30 s,
 * watched by the Floor screen in headless Chromium. Prints figures; asserts nothing.
 *
 *   npm run build:web && npx tsx bench/floor.ts
 *   FLOOR_REPS=20 FLOOR_LINES=3 FLOOR_SECONDS=15 npx tsx bench/floor.ts
 *   FLOOR_PROFILE=1 npx tsx bench/floor.ts   # also: where the page's main thread spent the run
 *
 * The server runs as its own process on a fresh PostgreSQL database with sign-up closed: the
 * first account is the admin (who opens the floor), each rep signs up with an invitation made in
 * SQL. Every rep has demo mode with short calls and keeps a realtime channel on their own calls
 * (as their dialer would), which also tells the bench when a line is free again; each of the
 * rep's lines places its next call (mockDialerCall) as soon as the last one ended.
 *
 * Measured in the page (same machine, same clock as the database):
 * - commit → floor: for each call status the floor shows (dialing, ringing, connected), the
 *   time from the row's `updated_at` (set by the database in the writing transaction) to the
 *   MutationObserver seeing it in the DOM, and to the next animation frame after that (paint);
 *   for each call that ended, from its final `updated_at` to its line leaving the floor.
 * - frames: requestAnimationFrame intervals, and long tasks (PerformanceObserver 'longtask').
 * Baselines in the same run: the same page idle (no calls) for the frame figures, and, for the
 * latency, a plain supabase-js subscriber in this process on the same workspace's calls (the
 * realtime path alone, without the browser's rendering).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import postgres from 'postgres';
import WebSocket from 'ws';
import { launchChromium } from '../e2e/support/chromium.js';
import { createTokenService } from '../src/api/jwt.js';
import { isTerminal, type CallStatus } from '../src/core/call-status.js';
import { hashInvitationToken } from '../src/db/invitations.js';
import { createEmptyDatabase } from '../test/support/databases.js';
import { startServerProcess } from '../test/support/server-process.js';
import { demoClockOffsetSeconds } from './support/stack.js';

const REPS = Number(process.env.FLOOR_REPS ?? 50);
const LINES = Number(process.env.FLOOR_LINES ?? 3);
const SECONDS = Number(process.env.FLOOR_SECONDS ?? 30);
const IDLE_SECONDS = Number(process.env.FLOOR_IDLE_SECONDS ?? 5);
const PROFILE = process.env.FLOOR_PROFILE === '1';
const SECRET = 'bench-floor-secret-long-enough-for-hs256-0123456789';
const PASSWORD = 'long-enough-password';
/** Short demo calls: a line is busy about 2 to 8 s, so each line places several calls a run. */
const MOCK_CONFIG = {
  dialSeconds: 0.3,
  ringSeconds: [0.5, 1.5],
  talkSeconds: [2, 6],
  amdSeconds: 1,
  outcomeWeights: { completed: 6, 'no-answer': 2, busy: 1, failed: 1, canceled: 0, voicemail_detected: 0 },
};

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentiles(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1) ?? NaN, count: sorted.length };
}
const fmt = (ms: number) => (Number.isNaN(ms) ? '—' : `${ms.toFixed(1)} ms`);
const describe = (label: string, samples: readonly number[]) => {
  const p = percentiles(samples);
  return `${label}: p50 ${fmt(p.p50)}  p95 ${fmt(p.p95)}  p99 ${fmt(p.p99)}  max ${fmt(p.max)}  (n=${p.count})`;
};

/** What the page keeps while it is measured (installed by `installProbe`). */
interface ProbeReport {
  readonly shown: { id: string; status: string; updatedAt: string; domAt: number; frameAt: number }[];
  readonly removed: { id: string; domAt: number }[];
  readonly frames: number[];
  readonly longTasks: number[];
}

/** Runs in the page: watches the floor's lines, frames and long tasks from now on. */
function installProbe(): void {
  const clock = () => performance.timeOrigin + performance.now();
  const report: ProbeReport = { shown: [], removed: [], frames: [], longTasks: [] };
  const seen = new Set<string>();
  let pending: ProbeReport['shown'] = [];
  const record = (element: Element, domAt: number) => {
    const id = element.getAttribute('data-call-id');
    const status = element.getAttribute('data-call-status');
    const updatedAt = element.getAttribute('data-updated-at');
    if (!id || !status || !updatedAt || seen.has(`${id}:${status}`)) return;
    seen.add(`${id}:${status}`);
    pending.push({ id, status, updatedAt, domAt, frameAt: NaN });
  };
  new MutationObserver((mutations) => {
    const domAt = clock();
    for (const mutation of mutations) {
      if (mutation.type === 'attributes' && mutation.target instanceof Element && mutation.target.matches('[data-testid="floor-line"]')) record(mutation.target, domAt);
      for (const node of mutation.addedNodes) {
        if (!(node instanceof Element)) continue;
        if (node.matches('[data-testid="floor-line"]')) record(node, domAt);
        for (const line of node.querySelectorAll('[data-testid="floor-line"]')) record(line, domAt);
      }
      for (const node of mutation.removedNodes) {
        if (!(node instanceof Element)) continue;
        const lines = node.matches('[data-testid="floor-line"]') ? [node] : [...node.querySelectorAll('[data-testid="floor-line"]')];
        for (const line of lines) {
          // A card React moved is removed and inserted again in one go: only a line gone for good counts.
          const id = line.getAttribute('data-call-id');
          if (id && !line.isConnected) report.removed.push({ id, domAt });
        }
      }
    }
    if (pending.length > 0) {
      const batch = pending;
      pending = [];
      requestAnimationFrame(() => {
        const frameAt = clock();
        for (const entry of batch) report.shown.push({ ...entry, frameAt });
      });
    }
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-call-status', 'data-updated-at'] });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) report.longTasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: false });
  let last = performance.now();
  const frame = (at: number) => {
    report.frames.push(at - last);
    last = at;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  (window as unknown as { __floorProbe: ProbeReport }).__floorProbe = report;
}

/** Takes what the probe gathered so far and starts it afresh. */
function drainProbe(): ProbeReport {
  const report = (window as unknown as { __floorProbe: ProbeReport }).__floorProbe;
  return { shown: report.shown.splice(0), removed: report.removed.splice(0), frames: report.frames.splice(0), longTasks: report.longTasks.splice(0) };
}

/** The functions that took the most self time in a CDP CPU profile, with their script. */
function summarizeProfile(profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples?: number[]; timeDeltas?: number[] }): string[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<string, number>();
  let total = 0;
  (profile.samples ?? []).forEach((id, i) => {
    const ms = (profile.timeDeltas?.[i] ?? 0) / 1000;
    const frame = byNode.get(id)?.callFrame;
    const key = frame ? `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop() ?? ''}:${frame.lineNumber}` : '?';
    selfMs.set(key, (selfMs.get(key) ?? 0) + ms);
    total += ms;
  });
  const busy = [...selfMs].filter(([key]) => !key.startsWith('(idle)') && !key.startsWith('(program)'));
  const busyMs = busy.reduce((sum, [, ms]) => sum + ms, 0);
  return [
    `  ${fmt(busyMs)} busy of ${fmt(total)} sampled (${((busyMs / total) * 100).toFixed(1)}%), idle and (program) excluded:`,
    ...busy
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([key, ms]) => `  ${fmt(ms).padStart(10)}  ${key}`),
  ];
}

async function main() {
  if (!existsSync(fileURLToPath(new URL('../web/dist/index.html', import.meta.url)))) throw new Error('The web app is not built: run `npm run build:web` first.');
  const database = await createEmptyDatabase('postgres');
  await database.db.close();
  const url = database.url ?? '';
  const dataDir = await mkdtemp(join(tmpdir(), 'dialer-bench-floor-'));
  const server = await startServerProcess({ DATABASE_URL: url, JWT_SECRET: SECRET, DIALER_DATA_DIR: dataDir, LOG_LEVEL: 'error', OPEN_SIGNUP: 'false' });
  const tokens = await createTokenService(SECRET);
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  const chromium = await launchChromium();
  const clients: SupabaseClient[] = [];
  const newClient = () => {
    const client = createClient(server.url, tokens.anonKey, { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: WebSocket as never } });
    clients.push(client);
    return client;
  };

  try {
    // --- the team: the first account is the admin; reps join with invitations made in SQL
    const run = randomBytes(3).toString('hex');
    const adminEmail = `floor-admin-${run}@example.com`;
    const admin = newClient();
    const signedUp = await admin.auth.signUp({ email: adminEmail, password: PASSWORD });
    if (signedUp.error) throw signedUp.error;
    const [membership] = await sql<{ workspace_id: string }[]>`select workspace_id from workspace_members where user_email = ${adminEmail}`;
    if (!membership) throw new Error('the first account has no workspace');
    const workspaceId = membership.workspace_id;

    const reps: { email: string; client: SupabaseClient }[] = [];
    for (let start = 0; start < REPS; start += 5) {
      const batch = Array.from({ length: Math.min(5, REPS - start) }, (_, i) => start + i);
      reps.push(
        ...(await Promise.all(
          batch.map(async (index) => {
            const email = `floor-rep-${run}-${index}@example.com`;
            const token = randomBytes(24).toString('base64url');
            await sql`insert into workspace_invitations (workspace_id, user_email, role, token_hash, expires_at)
              values (${workspaceId}, ${adminEmail}, 'rep', ${hashInvitationToken(token)}, now() + interval '1 hour')`;
            const client = newClient();
            const { error } = await client.auth.signUp({ email, password: PASSWORD, options: { data: { invitation_token: token } } });
            if (error) throw new Error(`${email}: ${error.message}`);
            const settings = await client.functions.invoke('dialerSettings', { body: { userEmail: email, update: { use_mock_dialer: true, mock_config: MOCK_CONFIG, demo_clock_offset_seconds: demoClockOffsetSeconds() } } });
            if (settings.error) throw new Error(`${email} settings: ${String(settings.error)}`);
            return { email, client };
          }),
        )),
      );
    }

    // --- the baseline subscriber: the same workspace's calls, heard in this process
    const baselineArrivals: number[] = [];
    const watcher = newClient();
    await watcher.auth.signInWithPassword({ email: adminEmail, password: PASSWORD });
    let isTiming = false;
    await new Promise<void>((resolve, reject) => {
      watcher
        .channel('bench-floor-baseline')
        .on('postgres_changes', { event: '*', schema: 'public', table: 'active_calls', filter: `workspace_id=eq.${workspaceId}` }, (payload) => {
          const arrived = now();
          const row = payload.new as { updated_at?: string };
          if (isTiming && row.updated_at) baselineArrivals.push(arrived - Date.parse(row.updated_at));
        })
        .subscribe((status) => (status === 'SUBSCRIBED' ? resolve() : status === 'CHANNEL_ERROR' ? reject(new Error('baseline channel refused')) : undefined));
    });

    // --- each rep's own channel (their dialer): it says when a line is free again
    const lineFree = new Map<string, () => void>();
    await Promise.all(
      reps.map(
        (rep) =>
          new Promise<void>((resolve, reject) => {
            rep.client
              .channel(`bench-rep-${rep.email}`)
              .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'active_calls', filter: `user_email=eq.${rep.email}` }, (payload) => {
                const row = payload.new as { id: string; status: CallStatus };
                if (isTerminal(row.status)) lineFree.get(row.id)?.();
              })
              .subscribe((status) => (status === 'SUBSCRIBED' ? resolve() : status === 'CHANNEL_ERROR' ? reject(new Error(`${rep.email}: channel refused`)) : undefined));
          }),
      ),
    );

    // --- the manager's floor in Chromium
    const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // tsx names this file's functions with an `__name` helper, which the page must have too.
    await page.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
    await page.goto(server.url);
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('user-email').waitFor({ state: 'attached' });
    await page.goto(`${server.url}/floor`);
    await page.locator('[data-testid="floor-rep"]').nth(REPS).waitFor({ timeout: 60_000 });
    await page.getByRole('status', { name: 'Updates: live' }).waitFor({ timeout: 60_000 });
    await page.evaluate(installProbe);

    // Idle baseline: the same page, its timers ticking, nothing happening.
    await sleep(IDLE_SECONDS * 1000);
    const idle = await page.evaluate(drainProbe);

    // --- the run: every line dials again as soon as its call ended
    const deadline = now() + SECONDS * 1000;
    let placed = 0;
    let refused = 0;
    const placedIds: string[] = [];
    isTiming = true;
    const cpuBefore = process.cpuUsage();
    const cdp = PROFILE ? await context.newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const line = async (rep: (typeof reps)[number], lineNumber: number, index: number) => {
      let counter = 0;
      while (now() < deadline) {
        const to = `+1415${String(5550000 + ((index * 97 + counter++) % 10000)).padStart(7, '0')}`;
        const { data, error } = await rep.client.functions.invoke<{ callId: string }>('mockDialerCall', { body: { to, userEmail: rep.email, lineNumber } });
        if (error || !data) {
          refused++;
          await sleep(500);
          continue;
        }
        placed++;
        placedIds.push(data.callId);
        // Free when its final status arrives; a missed change costs at most 15 s of this line.
        await Promise.race([new Promise<void>((resolve) => lineFree.set(data.callId, resolve)), sleep(15_000)]);
        lineFree.delete(data.callId);
      }
    };
    const runStarted = now();
    await Promise.all(reps.flatMap((rep, r) => Array.from({ length: LINES }, (_, l) => line(rep, l + 1, r * LINES + l))));
    const runSeconds = (now() - runStarted) / 1000;
    await sleep(2_000);
    isTiming = false;
    const cpu = process.cpuUsage(cpuBefore);
    const busy = await page.evaluate(drainProbe);
    const profile = cdp ? (await cdp.send('Profiler.stop')).profile : undefined;

    // --- figures
    const shownLatency = busy.shown.map((entry) => entry.domAt - Date.parse(entry.updatedAt));
    const paintLatency = busy.shown.map((entry) => entry.frameAt - Date.parse(entry.updatedAt));
    const ended = await sql<{ id: string; updated_at: Date }[]>`select id, updated_at from active_calls where id = any(${placedIds}::uuid[])`;
    const endedAt = new Map(ended.map((row) => [row.id, row.updated_at.getTime()]));
    const removalLatency = busy.removed.flatMap((entry) => {
      const at = endedAt.get(entry.id);
      return at === undefined ? [] : [entry.domAt - at];
    });
    const outcomes = await sql<{ status: string; count: string }[]>`
      select status, count(*)::text as count from active_calls where id = any(${placedIds}::uuid[]) group by status order by status`;
    const frameStats = (frames: readonly number[]) => {
      const p = percentiles(frames);
      const long = frames.filter((ms) => ms > 50).length;
      return `p50 ${fmt(p.p50)}  p95 ${fmt(p.p95)}  p99 ${fmt(p.p99)}  max ${fmt(p.max)}; ${p.count} frames, ${long} over 50 ms`;
    };
    const taskStats = (tasks: readonly number[], seconds: number) =>
      `${tasks.length} long tasks (${(tasks.length / seconds).toFixed(2)}/s), total ${fmt(tasks.reduce((a, b) => a + b, 0))}, max ${fmt(Math.max(0, ...tasks))}`;
    const lines = [
      `machine: ${availableParallelism()} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}, Chromium ${chromium.browser.version()} headless`,
      `team: 1 admin watching the floor + ${REPS} reps × ${LINES} lines; demo calls ${MOCK_CONFIG.dialSeconds} s dialing, ${MOCK_CONFIG.ringSeconds.join('-')} s ringing, ${MOCK_CONFIG.talkSeconds.join('-')} s talk`,
      `run: ${runSeconds.toFixed(1)} s, ${placed} calls placed (${(placed / runSeconds).toFixed(1)}/s), ${refused} refused and retried; final statuses: ${outcomes.map((row) => `${row.status} ${row.count}`).join(', ')}`,
      '',
      'commit (row updated_at) -> the floor:',
      `  ${describe('status in the DOM (MutationObserver)', shownLatency)}`,
      `  ${describe('next frame after it (paint)', paintLatency)}`,
      `  ${describe('ended call leaves the floor', removalLatency)}`,
      `  baseline, the realtime path alone: ${describe('supabase-js subscriber in the bench process', baselineArrivals)}`,
      `  statuses shown: ${busy.shown.length} (dialing ${busy.shown.filter((e) => e.status === 'dialing').length}, ringing ${busy.shown.filter((e) => e.status === 'ringing').length}, connected ${busy.shown.filter((e) => e.status === 'in-progress').length}); a status overtaken within one frame is drawn once, as its successor`,
      '',
      `frames under load:  ${frameStats(busy.frames)}`,
      `frames idle (baseline, ${IDLE_SECONDS} s): ${frameStats(idle.frames)}`,
      `long tasks under load: ${taskStats(busy.longTasks, runSeconds + 2)}`,
      `long tasks idle:       ${taskStats(idle.longTasks, IDLE_SECONDS)}`,
      `bench process CPU during the run: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`,
      pageErrors.length > 0 ? `page errors: ${pageErrors.join(' | ')}` : 'page errors: none',
      ...(profile ? ['', 'page main thread, self time by function (CPU profile of the run):', ...summarizeProfile(profile)] : []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    await context.close();
  } finally {
    await Promise.all(clients.map((client) => client.removeAllChannels()));
    await chromium.close();
    await sql.end();
    await server.stop('SIGTERM');
    await database.dispose();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
