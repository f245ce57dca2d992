import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { linesAllowed } from '../src/core/abandonment.js';
import { abandonmentRates, markAbandoned } from '../src/db/abandonment.js';
import type { Database } from '../src/db/database.js';
import { invoke } from './support/calls.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { addMember } from './support/members.js';
import { startTestServer, type TestServer } from './support/server.js';

const NOW = new Date('2026-06-30T12:00:00.000Z');
const DAY_MS = 24 * 3600 * 1000;
const daysAgo = (days: number, now = NOW) => new Date(now.getTime() - days * DAY_MS);

interface SeedCall {
  readonly userEmail: string;
  readonly listId: string | null;
  readonly endedAt: Date;
  /** Who answered: a person (AMD `human`, or no verdict), a machine, or nobody. */
  readonly answer: 'human' | 'no_verdict' | 'machine' | 'none';
  readonly isAbandoned?: boolean;
  readonly isMock?: boolean;
}

/** A history row as the end-of-call trigger writes it (workspace filled in from the member). */
async function insertCallLog(db: Database, call: SeedCall): Promise<void> {
  const answeredAt = call.answer === 'none' ? null : new Date(call.endedAt.getTime() - 60_000);
  const outcome = call.answer === 'none' ? 'no-answer' : call.answer === 'machine' ? 'voicemail_detected' : 'completed';
  const answeredBy = call.answer === 'human' ? 'human' : call.answer === 'machine' ? 'machine_start' : null;
  const abandonedAt = call.isAbandoned && answeredAt ? new Date(answeredAt.getTime() + 2500) : null;
  await db.sql`
    insert into call_logs (user_email, to_number, line_number, outcome, status_source, is_mock, provider, started_at, answered_at, ended_at,
                           talk_seconds, answered_by, list_id, abandoned_at, safe_harbor_at, connected_at)
    values (${call.userEmail}, '+14155550142', 1, ${outcome}, 'webhook', ${call.isMock ?? false}, ${call.isMock ? 'mock' : 'twilio'},
            ${new Date(call.endedAt.getTime() - 90_000)}, ${answeredAt}, ${call.endedAt}, 0, ${answeredBy}, ${call.listId},
            ${abandonedAt}, ${abandonedAt}, ${abandonedAt ? null : answeredAt})`;
}

const times = (count: number, call: SeedCall): SeedCall[] => Array.from({ length: count }, () => call);

interface Seeded {
  readonly workspaceId: string;
  readonly admin: string;
  readonly repOne: string;
  readonly repTwo: string;
  readonly listOne: string;
  readonly listTwo: string;
}

/**
 * Two lists and two reps of one workspace, and the calls around them that must not count:
 * machines, unanswered calls, calls older than 30 days, demo calls, another workspace's calls.
 */
async function seedHistory(db: Database, prefix: string, now = NOW): Promise<Seeded> {
  const ago = (days: number) => daysAgo(days, now);
  const admin = await addMember(db, `${prefix}-admin@example.com`);
  const workspaceId = admin.workspace_id;
  const repOne = (await addMember(db, `${prefix}-rep1@example.com`, { workspaceId, role: 'rep' })).user_email;
  const repTwo = (await addMember(db, `${prefix}-rep2@example.com`, { workspaceId, role: 'rep' })).user_email;
  const [listOne] = await db.sql<{ id: string }>`insert into lead_lists (user_email, name) values (${admin.user_email}, 'Alpha list') returning id`;
  const [listTwo] = await db.sql<{ id: string }>`insert into lead_lists (user_email, name) values (${admin.user_email}, 'Beta list') returning id`;
  if (!listOne || !listTwo) throw new Error('lists not inserted');
  const other = await addMember(db, `${prefix}-elsewhere@example.com`);

  const calls: SeedCall[] = [
    // Alpha: rep one, 8 answered by a person (1 abandoned) and 1 with no verdict; rep two, 2 answered.
    ...times(7, { userEmail: repOne, listId: listOne.id, endedAt: ago(3), answer: 'human' }),
    { userEmail: repOne, listId: listOne.id, endedAt: ago(29), answer: 'human', isAbandoned: true },
    { userEmail: repOne, listId: listOne.id, endedAt: ago(1), answer: 'no_verdict' },
    ...times(2, { userEmail: repTwo, listId: listOne.id, endedAt: ago(10), answer: 'human' }),
    // Not in the denominator: machines and calls nobody answered.
    ...times(3, { userEmail: repOne, listId: listOne.id, endedAt: ago(2), answer: 'machine' }),
    ...times(2, { userEmail: repTwo, listId: listOne.id, endedAt: ago(2), answer: 'none' }),
    // Outside the 30 days (the window is (now - 30 days, now]): not counted.
    ...times(2, { userEmail: repOne, listId: listOne.id, endedAt: ago(31), answer: 'human', isAbandoned: true }),
    { userEmail: repOne, listId: listOne.id, endedAt: ago(30), answer: 'human', isAbandoned: true },
    { userEmail: repOne, listId: listOne.id, endedAt: new Date(now.getTime() + 1000), answer: 'human', isAbandoned: true },
    // Demo calls are counted apart.
    ...times(2, { userEmail: repOne, listId: listOne.id, endedAt: ago(1), answer: 'human', isAbandoned: true, isMock: true }),
    // Beta: rep two, 4 answered, 2 abandoned.
    ...times(2, { userEmail: repTwo, listId: listTwo.id, endedAt: ago(5), answer: 'human' }),
    ...times(2, { userEmail: repTwo, listId: listTwo.id, endedAt: ago(5), answer: 'human', isAbandoned: true }),
    // A call dialed by hand, in no list.
    { userEmail: repOne, listId: null, endedAt: now, answer: 'human' },
    // Another workspace.
    ...times(3, { userEmail: other.user_email, listId: null, endedAt: ago(1), answer: 'human', isAbandoned: true }),
  ];
  for (const call of calls) await insertCallLog(db, call);
  return { workspaceId, admin: admin.user_email, repOne, repTwo, listOne: listOne.id, listTwo: listTwo.id };
}

describe.each(DATABASE_KINDS)('abandonment on %s', (kind) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.dispose();
  });

  it('the rolling 30-day rate per list and per rep, from a seeded history (47 CFR 64.1200(a)(7))', async () => {
    const { db } = testDb;
    const seeded = await seedHistory(db, 'rates');
    const rates = await abandonmentRates(db, seeded.workspaceId, { now: NOW });
    expect(rates.from).toEqual(daysAgo(30));
    expect(rates.to).toEqual(NOW);
    expect(rates.limitPercent).toBe(3);
    expect(rates.total).toMatchObject({ answered: 16, abandoned: 3, percent: 18.75, hasReachedLimit: true });
    expect(rates.lists.map(({ listId, name, answered, abandoned }) => ({ listId, name, answered, abandoned }))).toEqual([
      { listId: seeded.listOne, name: 'Alpha list', answered: 11, abandoned: 1 },
      { listId: seeded.listTwo, name: 'Beta list', answered: 4, abandoned: 2 },
      { listId: null, name: null, answered: 1, abandoned: 0 },
    ]);
    expect(rates.lists[0]?.percent).toBeCloseTo(100 / 11, 10);
    expect(rates.lists.map((list) => list.hasReachedLimit)).toEqual([true, true, false]);
    expect(rates.reps).toEqual([
      { userEmail: seeded.repOne, answered: 10, abandoned: 1, percent: 10, hasReachedLimit: true },
      { userEmail: seeded.repTwo, answered: 6, abandoned: 2, percent: (2 * 100) / 6, hasReachedLimit: true },
    ]);

    // One list; one rep.
    const beta = await abandonmentRates(db, seeded.workspaceId, { now: NOW, listId: seeded.listTwo });
    expect(beta.total).toMatchObject({ answered: 4, abandoned: 2, percent: 50 });
    expect(beta.reps.map((rep) => rep.userEmail)).toEqual([seeded.repTwo]);
    const repOne = await abandonmentRates(db, seeded.workspaceId, { now: NOW, userEmail: seeded.repOne });
    expect(repOne.lists.map(({ listId, answered, abandoned }) => ({ listId, answered, abandoned }))).toEqual([
      { listId: seeded.listOne, answered: 9, abandoned: 1 },
      { listId: null, answered: 1, abandoned: 0 },
    ]);

    // Demo calls on their own.
    const demo = await abandonmentRates(db, seeded.workspaceId, { now: NOW, isMock: true });
    expect(demo.total).toMatchObject({ answered: 2, abandoned: 2, percent: 100 });
    // Half a day later the call that ended a second after NOW is in; a day and a half later the
    // abandoned call of 29 days ago has left the window.
    const later = await abandonmentRates(db, seeded.workspaceId, { now: new Date(NOW.getTime() + 0.5 * DAY_MS), listId: seeded.listOne });
    expect(later.total).toMatchObject({ answered: 12, abandoned: 2 });
    const muchLater = await abandonmentRates(db, seeded.workspaceId, { now: new Date(NOW.getTime() + 1.5 * DAY_MS), listId: seeded.listOne });
    expect(muchLater.total).toMatchObject({ answered: 11, abandoned: 1 });
  });

  it('the workspace’s own limit decides, and sessions fall to one line at it', async () => {
    const { db } = testDb;
    const seeded = await seedHistory(db, 'limit');
    await db.sql`update workspaces set abandonment_limit_percent = 1.5 where id = ${seeded.workspaceId}`;
    const rates = await abandonmentRates(db, seeded.workspaceId, { now: NOW });
    expect(rates.limitPercent).toBe(1.5);
    const noList = rates.lists.find((list) => list.listId === null);
    expect(noList).toMatchObject({ percent: 0, hasReachedLimit: false });
    // Under the limit, yet too few people connected for an extra line to be safe at 1.5%.
    if (!noList) throw new Error('no figures for calls without a list');
    expect(noList.answered).toBeLessThan(66);
    expect(linesAllowed(3, noList, rates.limitPercent)).toBe(1);
    expect(linesAllowed(3, { answered: noList.answered + 200, abandoned: noList.abandoned }, rates.limitPercent)).toBe(3);
    const alpha = rates.lists.find((list) => list.listId === seeded.listOne);
    if (!alpha) throw new Error('no figures for the list');
    expect(alpha.hasReachedLimit).toBe(true);
    expect(linesAllowed(3, alpha, rates.limitPercent)).toBe(1);
    // An empty workspace has no rate yet, which is not over any limit.
    const empty = await addMember(db, 'limit-empty@example.com');
    const none = await abandonmentRates(db, empty.workspace_id, { now: NOW });
    expect(none.total).toEqual({ answered: 0, abandoned: 0, percent: null, hasReachedLimit: false });
    expect(none.lists).toEqual([]);
  });

  /** An instant `seconds` after a base a little ahead of the clock, so after every call's start (0002 keeps the end after it). */
  const base = Math.ceil(Date.now() / 1000) * 1000 + 60_000;
  const T = (seconds: number) => new Date(base + seconds * 1000);

  async function insertCall(db: Database, userEmail: string, fields: { sessionId?: string; listId?: string | null; recordingDecision?: string } = {}): Promise<string> {
    const [row] = await db.sql<{ id: string }>`
      insert into active_calls (user_email, line_number, to_number, call_sid, is_mock, provider, session_id, list_id, compliance, recording_decision)
      values (${userEmail}, 1, '+14155550100', ${`CA${crypto.randomUUID().replaceAll('-', '')}`}, false, 'twilio', ${fields.sessionId ?? null},
              ${fields.listId ?? null}, ${JSON.stringify({ rule: 'federal', zones: ['America/Los_Angeles'] })}::text::jsonb, ${fields.recordingDecision ?? 'off'})
      returning id`;
    if (!row) throw new Error('insert returned nothing');
    return row.id;
  }

  it('HI1 a call placed by hand is connected at the answer, and its history row carries the compliance columns', async () => {
    const { db } = testDb;
    const rep = await addMember(db, 'history-rep@example.com');
    const [list] = await db.sql<{ id: string }>`insert into lead_lists (user_email, name) values (${rep.user_email}, 'History list') returning id`;
    const id = await insertCall(db, rep.user_email, { listId: list?.id ?? null, recordingDecision: 'recorded_after_notice' });
    await db.sql`update active_calls set status = 'ringing' where id = ${id}`;
    await db.sql`update active_calls set status = 'in-progress', answered_at = ${T(5)} where id = ${id}`;
    const [live] = await db.sql<{ answered_at: Date; connected_at: Date | null }>`select answered_at, connected_at from active_calls where id = ${id}`;
    expect(live?.connected_at).toEqual(live?.answered_at);
    expect(live?.connected_at).toEqual(T(5));
    await db.sql`update active_calls set status = 'completed', ended_at = ${T(65)} where id = ${id}`;
    const logs = await db.sql<{ list_id: string; compliance: Record<string, unknown>; connected_at: Date; abandoned_at: Date | null; safe_harbor_at: Date | null; recording_decision: string; talk_seconds: number }>`
      select list_id, compliance, connected_at, abandoned_at, safe_harbor_at, recording_decision, talk_seconds from call_logs where active_call_id = ${id}`;
    expect(logs).toEqual([
      {
        list_id: list?.id,
        compliance: { rule: 'federal', zones: ['America/Los_Angeles'] },
        connected_at: T(5),
        abandoned_at: null,
        safe_harbor_at: null,
        recording_decision: 'recorded_after_notice',
        talk_seconds: 60,
      },
    ]);
  });

  it('a session line is not connected by its answer: the session connects it (or abandons it)', async () => {
    const { db } = testDb;
    const rep = await addMember(db, 'session-rep@example.com');
    const id = await insertCall(db, rep.user_email, { sessionId: crypto.randomUUID() });
    await db.sql`update active_calls set status = 'in-progress' where id = ${id}`;
    const [row] = await db.sql<{ answered_at: Date | null; connected_at: Date | null }>`select answered_at, connected_at from active_calls where id = ${id}`;
    expect(row?.answered_at).toBeInstanceOf(Date);
    expect(row?.connected_at).toBeNull();
  });

  it('markAbandoned: once per call, one compliance event, the assumed connection cleared, history kept in step even after the end', async () => {
    const { db } = testDb;
    const rep = await addMember(db, 'abandon-rep@example.com');
    const id = await insertCall(db, rep.user_email);
    await db.sql`update active_calls set status = 'in-progress', answered_at = ${T(0)} where id = ${id}`;
    const at = T(20);
    const marked = await db.transaction((tx) => markAbandoned(tx, id, at, { reason: 'rep_browser_unavailable', safeHarborAt: T(19.5) }));
    expect(marked).toMatchObject({ id, status: 'in-progress' });
    const again = await db.transaction((tx) => markAbandoned(tx, id, T(30)));
    expect(again).toBeUndefined();
    expect(await db.transaction((tx) => markAbandoned(tx, crypto.randomUUID(), at))).toBeUndefined();

    // A late, repeated write of the times does not move them (the first stays).
    await db.sql`update active_calls set abandoned_at = now(), safe_harbor_at = now() where id = ${id}`;
    await db.sql`update active_calls set status = 'completed', ended_at = ${T(40)} where id = ${id}`;
    const [log] = await db.sql<{ connected_at: Date | null; abandoned_at: Date; safe_harbor_at: Date }>`
      select connected_at, abandoned_at, safe_harbor_at from call_logs where active_call_id = ${id}`;
    expect(log).toEqual({ connected_at: null, abandoned_at: at, safe_harbor_at: T(19.5) });
    const events = await db.sql<{ kind: string; rule: string; call_id: string; phone_number: string; workspace_id: string; message: string; details: Record<string, unknown> }>`
      select kind, rule, call_id, phone_number, workspace_id, message, details from compliance_events where call_id = ${id}`;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'abandoned', rule: 'rep_browser_unavailable', call_id: id, phone_number: '+14155550100', workspace_id: rep.workspace_id });
    expect(events[0]?.message).toContain('within 2 seconds');
    expect(events[0]?.details).toMatchObject({ abandonedAt: at.toISOString(), safeHarborAt: T(19.5).toISOString(), lineNumber: 1, provider: 'twilio' });

    // The callee hung up first (the status callback came before the dial result): the history row follows.
    const ended = await insertCall(db, rep.user_email);
    await db.sql`update active_calls set status = 'in-progress', answered_at = ${T(600)} where id = ${ended}`;
    await db.sql`update active_calls set status = 'completed', ended_at = ${T(609)} where id = ${ended}`;
    const [before] = await db.sql<{ connected_at: Date | null }>`select connected_at from call_logs where active_call_id = ${ended}`;
    expect(before?.connected_at).toEqual(T(600));
    await db.transaction((tx) => markAbandoned(tx, ended, T(610)));
    const [after] = await db.sql<{ connected_at: Date | null; abandoned_at: Date | null }>`select connected_at, abandoned_at from call_logs where active_call_id = ${ended}`;
    expect(after).toEqual({ connected_at: null, abandoned_at: T(610) });
  });

  it('a connection after the two seconds is kept by markAbandoned: the call was abandoned, then picked up', async () => {
    const { db } = testDb;
    const rep = await addMember(db, 'late-rep@example.com');
    const id = await insertCall(db, rep.user_email, { sessionId: crypto.randomUUID() });
    await db.sql`update active_calls set status = 'in-progress', answered_at = ${T(0)}, connected_at = ${T(4)} where id = ${id}`;
    await db.transaction((tx) => markAbandoned(tx, id, T(2)));
    const [row] = await db.sql<{ connected_at: Date | null; abandoned_at: Date | null }>`select connected_at, abandoned_at from active_calls where id = ${id}`;
    expect(row).toEqual({ connected_at: T(4), abandoned_at: T(2) });
  });
});

describe.each(DATABASE_KINDS)('getAbandonmentRates on %s', (kind) => {
  let server: TestServer;
  let seeded: Seeded;
  const clients = new Map<string, SupabaseClient>();

  /** A client sending the access token sign-in would issue for a member written by SQL. */
  async function clientOf(email: string): Promise<SupabaseClient> {
    const existing = clients.get(email);
    if (existing) return existing;
    const [member] = await server.db.sql<{ user_id: string }>`select user_id from workspace_members where user_email = ${email}`;
    if (!member) throw new Error(`no member ${email}`);
    const { token } = await server.tokens.signAccessToken({ id: member.user_id, email, sessionId: crypto.randomUUID() });
    const client = createClient(server.url, server.tokens.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      accessToken: async () => token,
      realtime: { transport: WebSocket as never },
    });
    clients.set(email, client);
    return client;
  }

  beforeAll(async () => {
    server = await startTestServer(kind);
    // The server reads the system clock: the history is seeded up to a minute ago.
    seeded = await seedHistory(server.db, `fn-${kind}`, new Date(Date.now() - 60_000));
  });
  afterAll(async () => {
    await server.close();
  });

  it('managers and admins see the workspace per list and per rep; a rep sees their own', async () => {
    const manager = (await server.addMember(undefined, { workspaceId: seeded.workspaceId, role: 'manager' })).user_email;
    const asManager = await invoke(await clientOf(manager), 'getAbandonmentRates', {});
    expect(asManager.status).toBe(200);
    const body = asManager.body as { limitPercent: number; windowDays: number; mode: string; lists: { listId: string | null; name: string | null }[]; reps: { userEmail: string }[] };
    expect(body).toMatchObject({ limitPercent: 3, windowDays: 30, mode: 'live' });
    expect(body.reps).toEqual([
      // The seeded call a second after "now" is in the server's window too.
      { userEmail: seeded.repOne, answered: 11, abandoned: 2, percent: 18.18, hasReachedLimit: true },
      { userEmail: seeded.repTwo, answered: 6, abandoned: 2, percent: 33.33, hasReachedLimit: true },
    ]);
    expect(body.lists.map((list) => [list.listId, list.name])).toEqual([
      [seeded.listOne, 'Alpha list'],
      [seeded.listTwo, 'Beta list'],
      [null, null],
    ]);

    const asRep = await invoke(await clientOf(seeded.repTwo), 'getAbandonmentRates', {});
    expect(asRep.status).toBe(200);
    expect((asRep.body['reps'] as { userEmail: string }[]).map((rep) => rep.userEmail)).toEqual([seeded.repTwo]);
    const peek = await invoke(await clientOf(seeded.repTwo), 'getAbandonmentRates', { userEmail: seeded.repOne });
    expect(peek.status).toBe(403);
    expect(peek.body).toMatchObject({ code: 'forbidden' });

    const asAdmin = await invoke(await clientOf(seeded.admin), 'getAbandonmentRates', { listId: seeded.listTwo, userEmail: seeded.repTwo });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body['total']).toEqual({ answered: 4, abandoned: 2, percent: 50, hasReachedLimit: true });
    const demo = await invoke(await clientOf(seeded.admin), 'getAbandonmentRates', { mode: 'demo' });
    expect(demo.body).toMatchObject({ mode: 'demo', total: { answered: 2, abandoned: 2, percent: 100 } });

    const bad = await invoke(await clientOf(seeded.admin), 'getAbandonmentRates', { listId: 'not-a-uuid' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'invalid_request' });
  });
});
