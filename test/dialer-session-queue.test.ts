import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareQueueLeads, RESERVATION_SECONDS, SESSION_HEARTBEAT_TIMEOUT_SECONDS, SESSION_STATUSES, SESSION_STOP_REASONS } from '../src/core/dialer-session.js';
import type { Database } from '../src/db/database.js';
import {
  claimConnection,
  countSessionOutcome,
  heartbeatDialerSession,
  recordSessionLead,
  releaseConnection,
  releaseReservation,
  releaseStaleReservations,
  reserveNextLeads,
  startDialerSession,
  stopDialerSession,
  pauseDialerSession,
  type SessionOwner,
} from '../src/db/dialer-sessions.js';
import { openPostgres } from '../src/db/postgres.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { addMember } from './support/members.js';

/**
 * PD2 no lead is held by two lines, reps or processes at once, in queue order, and a dead
 * session's reservations are released; PD1 the connection claim is won by exactly one call.
 * On PostgreSQL the concurrent parts run on separate connection pools, as separate server
 * processes would; on PGlite (one connection) they interleave at statement boundaries.
 */
describe.each(DATABASE_KINDS)('dialer session queue and claim on %s', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  /** Extra pools on PostgreSQL (each one a "process"); on PGlite, the one database again. */
  const pools: Database[] = [];
  let workspaceId: string;
  let reps: SessionOwner[];
  const t0 = new Date('2026-03-02T15:00:00Z');
  const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    db = testDb.db;
    const admin = await addMember(db);
    workspaceId = admin.workspace_id;
    reps = [{ workspaceId, email: admin.user_email }];
    for (let i = 0; i < 3; i++) reps.push({ workspaceId, email: (await addMember(db, undefined, { workspaceId, role: 'rep' })).user_email });
    for (let i = 0; i < 4; i++) pools.push(testDb.url ? openPostgres(testDb.url, { max: 4 }) : db);
  });
  afterAll(async () => {
    for (const pool of pools) if (pool !== db) await pool.close();
    await testDb.dispose();
  });

  const rep = (index: number): SessionOwner => {
    const owner = reps[index];
    if (!owner) throw new Error(`no rep ${index}`);
    return owner;
  };
  const pool = (index: number): Database => pools[index % pools.length] ?? db;

  let listCounter = 0;
  let phoneCounter = 0;
  async function createList(): Promise<string> {
    const [row] = await db.sql<{ id: string }>`insert into lead_lists (user_email, name) values (${rep(0).email}, ${`Queue list ${++listCounter}`}) returning id`;
    if (!row) throw new Error('list insert returned nothing');
    return row.id;
  }
  /** A lead of the list, added `minute` minutes after t0 - 1 day, with the given status and callback. */
  async function addLead(listId: string, minute: number, fields: { status?: string; callbackAt?: Date | null } = {}): Promise<string> {
    // A number is a lead once per workspace.
    const phone = `+1415556${String(++phoneCounter).padStart(4, '0')}`;
    const createdAt = new Date(t0.getTime() - 86_400_000 + minute * 60_000).toISOString();
    const [row] = await db.sql<{ id: string }>`
      insert into leads (user_email, name, phone, list_id, status, callback_at, created_at)
      values (${rep(0).email}, ${`Lead ${minute}`}, ${phone}, ${listId}, ${fields.status ?? 'new'}, ${fields.callbackAt?.toISOString() ?? null}::timestamptz, ${createdAt}::timestamptz)
      returning id`;
    if (!row) throw new Error('lead insert returned nothing');
    return row.id;
  }
  async function startOn(owner: SessionOwner, listId: string, lines = 3, filter = {}): Promise<string> {
    const started = await startDialerSession(db, owner, { listId, lines, filter }, t0);
    if (!started.ok) throw new Error(started.error.message);
    return started.value.id;
  }
  const stop = async (owner: SessionOwner, sessionId: string) => {
    expect((await stopDialerSession(db, owner, sessionId, t0)).ok).toBe(true);
  };
  const reserve = (sessionId: string, count: number, now = t0, on: Database = db) => on.transaction((tx) => reserveNextLeads(tx, sessionId, count, now));

  it('PD2 the queue order: due callbacks first (earliest due first), then the list order; never do_not_call, a live call, or a lead the session worked', async () => {
    const listId = await createList();
    const plain = [await addLead(listId, 3), await addLead(listId, 1), await addLead(listId, 2)];
    const dueLater = await addLead(listId, 10, { status: 'callback', callbackAt: at(-60) });
    const dueFirst = await addLead(listId, 11, { status: 'callback', callbackAt: at(-3600) });
    const notDue = await addLead(listId, 0, { status: 'callback', callbackAt: at(3600) });
    await addLead(listId, 4, { status: 'do_not_call' });
    const live = await addLead(listId, 5);
    await db.sql`insert into active_calls (user_email, lead_id, line_number, to_number) values (${rep(3).email}, ${live}, 1, '+14155550999')`;
    const worked = await addLead(listId, 6);
    const sessionId = await startOn(rep(0), listId);
    await db.transaction((tx) => recordSessionLead(tx, sessionId, worked, { kind: 'skipped', reason: 'outside_calling_hours' }, t0));

    const reserved = await reserve(sessionId, 20);
    const [ordered] = [
      (await db.sql<{ id: string; created_at: Date; callback_at: Date | null }>`select id, created_at, callback_at from leads where id = any(${[dueFirst, dueLater, notDue, ...plain]}::uuid[])`)
        .map((row) => ({ id: row.id, createdAt: row.created_at, callbackAt: row.callback_at }))
        .sort((a, b) => compareQueueLeads(t0, a, b))
        .map((lead) => lead.id),
    ];
    expect(reserved.map((lead) => lead.leadId)).toEqual(ordered);
    expect(ordered.slice(0, 3)).toEqual([dueFirst, dueLater, notDue]);
    expect(reserved.every((lead) => lead.expiresAt.getTime() === t0.getTime() + RESERVATION_SECONDS * 1000)).toBe(true);
    const [session] = await db.sql<{ skipped: number; skipped_reasons: unknown }>`select skipped, skipped_reasons from dialer_sessions where id = ${sessionId}`;
    expect(session).toEqual({ skipped: 1, skipped_reasons: { outside_calling_hours: 1 } });
    await stop(rep(0), sessionId);
  });

  it('PD2 a saved filter: only its statuses; callbacksOnly takes due callbacks alone; a paused session reserves nothing', async () => {
    const listId = await createList();
    const fresh = await addLead(listId, 1);
    const called = await addLead(listId, 2, { status: 'no_answer' });
    const due = await addLead(listId, 3, { status: 'callback', callbackAt: at(-10) });
    await addLead(listId, 4, { status: 'callback', callbackAt: at(10) });
    const byStatus = await startOn(rep(0), listId, 1, { statuses: ['no_answer', 'new'] });
    expect((await reserve(byStatus, 10)).map((lead) => lead.leadId)).toEqual([fresh, called]);
    await stop(rep(0), byStatus);
    const callbacks = await startOn(rep(0), listId, 1, { callbacksOnly: true });
    expect((await reserve(callbacks, 10)).map((lead) => lead.leadId)).toEqual([due]);
    await stop(rep(0), callbacks);
    const paused = await startOn(rep(0), listId);
    expect((await pauseDialerSession(db, rep(0), paused, t0)).ok).toBe(true);
    expect(await reserve(paused, 10)).toEqual([]);
    await stop(rep(0), paused);
  });

  it('PD2 a lead this session placed a call to is not offered again, even with no worked-lead row (a crash between the two); an archived list offers nothing', async () => {
    const listId = await createList();
    const called = await addLead(listId, 1);
    const next = await addLead(listId, 2);
    const sessionId = await startOn(rep(2), listId);
    await db.sql`
      insert into active_calls (user_email, lead_id, line_number, to_number, session_id, status, ended_at)
      values (${rep(2).email}, ${called}, 3, '+14155550302', ${sessionId}, 'dialing', null)`;
    await db.sql`update active_calls set status = 'busy', ended_at = now() where lead_id = ${called}`;
    expect((await reserve(sessionId, 10)).map((lead) => lead.leadId)).toEqual([next]);
    expect(await db.transaction((tx) => releaseReservation(tx, sessionId, next))).toBe(true);
    await db.sql`update lead_lists set archived_at = now() where id = ${listId}`;
    expect(await reserve(sessionId, 10)).toEqual([]);
    await stop(rep(2), sessionId);
  });

  it('PD2 two reps on one list, 3 lines each, reserving at once from separate connections: every lead is held by exactly one line', async () => {
    const listId = await createList();
    const leads: string[] = [];
    for (let minute = 0; minute < 60; minute++) leads.push(await addLead(listId, minute, minute % 7 === 0 ? { status: 'callback', callbackAt: at(-minute) } : {}));
    const sessions = [await startOn(rep(1), listId), await startOn(rep(2), listId)];
    // Six lines (two sessions × three), each reserving one or two leads at a time until the queue is empty.
    const lines = sessions.flatMap((sessionId, s) => [1, 2, 3].map((line) => ({ sessionId, line, on: pool(s * 3 + line) })));
    const held = await Promise.all(
      lines.map(async ({ sessionId, line, on }) => {
        const mine: string[] = [];
        for (;;) {
          const got = await on.transaction((tx) => reserveNextLeads(tx, sessionId, (line % 2) + 1, t0, [line, line]));
          if (got.length === 0) {
            // A lost race returns fewer leads; the queue is empty only when nothing is left unheld.
            const [left] = await on.sql<{ n: number }>`
              select count(*)::int as n from leads l where l.list_id = ${listId} and not exists (select 1 from lead_reservations r where r.lead_id = l.id)`;
            if (left?.n === 0) return mine;
            continue;
          }
          expect(got.every((lead) => lead.lineNumber === line)).toBe(true);
          mine.push(...got.map((lead) => lead.leadId));
        }
      }),
    );
    const all = held.flat();
    expect(all).toHaveLength(leads.length);
    expect(new Set(all).size).toBe(leads.length);
    expect([...all].sort()).toEqual([...leads].sort());
    const [rows] = await db.sql<{ n: number }>`select count(*)::int as n from lead_reservations r join leads l on l.id = r.lead_id where l.list_id = ${listId}`;
    expect(rows?.n).toBe(leads.length);
    await stop(rep(1), sessions[0] ?? '');
    await stop(rep(2), sessions[1] ?? '');
  });

  it('PD2 stale reservations: kept while the heartbeat is fresh, released when it is older than the bound, when the session stops, or when they expire', async () => {
    const listId = await createList();
    const first = await addLead(listId, 1);
    const second = await addLead(listId, 2);
    const silent = await startOn(rep(1), listId);
    expect((await reserve(silent, 2)).map((lead) => lead.leadId)).toEqual([first, second]);
    const other = await startOn(rep(2), listId);
    expect(await reserve(other, 2, at(30))).toEqual([]);

    // The heartbeat renews: at t0 + 30 s the reservations last until t0 + 30 s + RESERVATION_SECONDS.
    expect(await heartbeatDialerSession(db, silent, at(30))).toBe(true);
    expect(await releaseStaleReservations(db, at(SESSION_HEARTBEAT_TIMEOUT_SECONDS + 29))).toEqual([]);
    // Silent past the bound: released, and the other session takes the leads.
    expect((await releaseStaleReservations(db, at(30 + SESSION_HEARTBEAT_TIMEOUT_SECONDS + 1))).sort()).toEqual([first, second].sort());
    expect((await reserve(other, 2, at(100))).map((lead) => lead.leadId)).toEqual([first, second]);

    // Stopping a session releases its reservations; a reservation dropped by hand goes back too.
    await stop(rep(2), other);
    const third = await startOn(rep(3), listId);
    expect((await reserve(third, 2, at(100))).map((lead) => lead.leadId)).toEqual([first, second]);
    expect(await db.transaction((tx) => releaseReservation(tx, third, first))).toBe(true);
    expect(await db.transaction((tx) => releaseReservation(tx, third, first))).toBe(false);

    // An expired reservation (no heartbeat renewed it) is taken over by the next reserver directly.
    await stop(rep(1), silent);
    const fourth = await startOn(rep(1), listId);
    expect((await reserve(fourth, 2, at(100))).map((lead) => lead.leadId)).toEqual([first]);
    // At t0 + 100 s + RESERVATION_SECONDS both have lapsed: its own lead again, and the other session's.
    expect((await reserve(fourth, 2, at(100 + RESERVATION_SECONDS))).map((lead) => lead.leadId)).toEqual([first, second]);
    await stop(rep(3), third);
    await stop(rep(1), fourth);
    const [left] = await db.sql<{ n: number }>`select count(*)::int as n from lead_reservations r join leads l on l.id = r.lead_id where l.list_id = ${listId}`;
    expect(left?.n).toBe(0);
  });

  it('PD1 of three answered lines claiming at once from separate connections, exactly one connects; 10 rounds', async () => {
    const listId = await createList();
    const owner = rep(1);
    const sessionId = await startOn(owner, listId);
    const calls: string[] = [];
    for (const line of [1, 2, 3]) {
      const [row] = await db.sql<{ id: string }>`
        insert into active_calls (user_email, line_number, to_number, session_id) values (${owner.email}, ${line}, ${`+1415555020${line}`}, ${sessionId}) returning id`;
      calls.push(row?.id ?? '');
    }
    const winners: string[] = [];
    for (let round = 0; round < 10; round++) {
      const results = await Promise.all(calls.map((callId, index) => pool(index + round).transaction((tx) => claimConnection(tx, sessionId, callId))));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = calls[results.indexOf(true)] ?? '';
      winners.push(winner);
      const [session] = await db.sql<{ connected_call_id: string | null; connected: number }>`select connected_call_id, connected from dialer_sessions where id = ${sessionId}`;
      expect(session).toEqual({ connected_call_id: winner, connected: round + 1 });
      // The winner claiming again, or a loser releasing, changes nothing.
      expect(await db.transaction((tx) => claimConnection(tx, sessionId, winner))).toBe(false);
      for (const loser of calls.filter((callId) => callId !== winner)) expect(await db.transaction((tx) => releaseConnection(tx, sessionId, loser))).toBe(false);
      expect(await db.transaction((tx) => releaseConnection(tx, sessionId, winner))).toBe(true);
    }
    expect(winners).toHaveLength(10);

    // A call of another session cannot claim this one; a stopped session connects nobody.
    const otherSession = await startOn(rep(2), listId);
    const [foreign] = await db.sql<{ id: string }>`
      insert into active_calls (user_email, line_number, to_number, session_id) values (${rep(2).email}, 1, '+14155550299', ${otherSession}) returning id`;
    expect(await db.transaction((tx) => claimConnection(tx, sessionId, foreign?.id ?? ''))).toBe(false);
    expect(await db.transaction((tx) => claimConnection(tx, sessionId, calls[0] ?? ''))).toBe(true);
    await stop(owner, sessionId);
    const [stopped] = await db.sql<{ connected_call_id: string | null }>`select connected_call_id from dialer_sessions where id = ${sessionId}`;
    expect(stopped?.connected_call_id).toBeNull();
    expect(await db.transaction((tx) => claimConnection(tx, sessionId, calls[1] ?? ''))).toBe(false);
    await stop(rep(2), otherSession);
  });

  it('WS1 the database itself keeps a session in its rep\'s workspace and one live session per rep', async () => {
    const outsider = await addMember(db);
    const [foreignList] = await db.sql<{ id: string }>`insert into lead_lists (user_email, name) values (${outsider.user_email}, 'Elsewhere') returning id`;
    const codeOf = async (work: Promise<unknown>) => work.then(() => 'stored', (error: unknown) => String((error as { code?: unknown }).code));
    expect(await codeOf(db.sql`insert into dialer_sessions (user_email, list_id, lines) values (${rep(1).email}, ${foreignList?.id}, 1)`)).toBe('23503');
    const listId = await createList();
    const sessionId = await startOn(rep(1), listId);
    expect(await codeOf(db.sql`insert into dialer_sessions (user_email, list_id, lines) values (${rep(1).email}, ${listId}, 1)`)).toBe('23505');
    expect(await codeOf(db.sql`insert into dialer_sessions (user_email, list_id, lines) values (${rep(0).email}, ${listId}, 4)`)).toBe('23514');
    expect(await codeOf(db.sql`update dialer_sessions set status = 'stopped' where id = ${sessionId}`)).toBe('23514');
    await stop(rep(1), sessionId);
  });

  it('each word once: the session statuses and stop reasons of src/core are the table\'s checks', async () => {
    const wordsOf = async (name: string) => {
      const [row] = await db.sql<{ definition: string }>`select pg_get_constraintdef(oid) as definition from pg_constraint where conname = ${name}`;
      return [...new Set([...(row?.definition ?? '').matchAll(/'([^']*)'/g)].map((m) => m[1] ?? ''))].sort();
    };
    expect(await wordsOf('dialer_sessions_status_check')).toEqual([...SESSION_STATUSES].sort());
    expect(await wordsOf('dialer_sessions_stop_reason_check')).toEqual([...SESSION_STOP_REASONS].sort());
  });

  it('session counters: a lead dialed or skipped counts once, under its reason; voicemails and abandons count', async () => {
    const listId = await createList();
    const lead = await addLead(listId, 1);
    const other = await addLead(listId, 2);
    const sessionId = await startOn(rep(3), listId);
    const [call] = await db.sql<{ id: string }>`
      insert into active_calls (user_email, lead_id, line_number, to_number, session_id) values (${rep(3).email}, ${lead}, 2, '+14155550301', ${sessionId}) returning id`;
    expect(await db.transaction((tx) => recordSessionLead(tx, sessionId, lead, { kind: 'dialed', callId: call?.id ?? '' }, t0))).toBe(true);
    expect(await db.transaction((tx) => recordSessionLead(tx, sessionId, lead, { kind: 'dialed', callId: call?.id ?? '' }, t0))).toBe(false);
    expect(await db.transaction((tx) => recordSessionLead(tx, sessionId, other, { kind: 'skipped', reason: 'do_not_call' }, t0))).toBe(true);
    await db.transaction(async (tx) => {
      await countSessionOutcome(tx, sessionId, 'voicemail');
      await countSessionOutcome(tx, sessionId, 'abandoned');
      await countSessionOutcome(tx, sessionId, 'abandoned');
    });
    const [session] = await db.sql`select dialed, connected, voicemail, abandoned, skipped, skipped_reasons from dialer_sessions where id = ${sessionId}`;
    expect(session).toEqual({ dialed: 1, connected: 0, voicemail: 1, abandoned: 2, skipped: 1, skipped_reasons: { do_not_call: 1 } });
    expect(await reserve(sessionId, 5)).toEqual([]);
    await stop(rep(3), sessionId);
  });
});
