import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from './support/calls.js';
import { subscribe } from './support/realtime.js';
import { DATABASE_KINDS } from './support/databases.js';
import { startTestServer, type SignedUpUser, type TestServer } from './support/server.js';

/**
 * Power-dial sessions through the functions (issue 14): start, pause, resume, stop; one live
 * session per rep (PD1's session row); a rep drives only their own; reads follow the workspace
 * rule (WS1); clients write nothing (TR1). The functions do not dial yet.
 */
describe.each(DATABASE_KINDS)('dialer sessions through the functions on %s', (kind) => {
  let server: TestServer;
  let admin: SignedUpUser;
  let manager: SignedUpUser;
  let rep: SignedUpUser;
  let otherRep: SignedUpUser;
  let outsider: SignedUpUser;
  let listId: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    admin = await server.signUp('session-admin');
    manager = await server.signUpInto(admin.client, 'manager', 'session-manager');
    rep = await server.signUpInto(admin.client, 'rep', 'session-rep');
    otherRep = await server.signUpInto(admin.client, 'rep', 'session-rep2');
    outsider = await server.signUp('session-outsider');
    const created = await invoke(admin.client, 'createLeadList', { name: 'Session list' });
    listId = String((created.body['list'] as { id: string }).id);
  });
  afterAll(async () => {
    await server.close();
  });

  const sessionOf = (body: Record<string, unknown>) => body['session'] as { id: string; status: string; stopReason: string | null; lines: number; filter: unknown; counters: unknown };
  const stopLive = async (user: SignedUpUser) => {
    const rows = await server.db.sql<{ id: string }>`select id from dialer_sessions where user_email = ${user.email} and status <> 'stopped'`;
    for (const row of rows) expect((await invoke(user.client, 'stopDialerSession', { sessionId: row.id })).status).toBe(200);
  };

  it('a rep starts a session on a list of their workspace, pauses, resumes and stops it; stopped is final; repeated moves change nothing', async () => {
    const started = await invoke(rep.client, 'startDialerSession', { listId, lines: 3, filter: { statuses: ['new', 'callback', 'new'] } });
    expect(started.status).toBe(200);
    const session = sessionOf(started.body);
    expect(session).toMatchObject({ status: 'active', lines: 3, stopReason: null, filter: { statuses: ['callback', 'new'] } });
    expect(session.counters).toEqual({ dialed: 0, connected: 0, voicemail: 0, abandoned: 0, skipped: 0, skippedReasons: {} });
    const sessionId = session.id;

    const paused = await invoke(rep.client, 'pauseDialerSession', { sessionId });
    expect(sessionOf(paused.body).status).toBe('paused');
    expect(sessionOf((await invoke(rep.client, 'pauseDialerSession', { sessionId })).body).status).toBe('paused');
    expect(sessionOf((await invoke(rep.client, 'resumeDialerSession', { sessionId })).body).status).toBe('active');
    const stopped = await invoke(rep.client, 'stopDialerSession', { sessionId });
    expect(sessionOf(stopped.body)).toMatchObject({ status: 'stopped', stopReason: 'rep_stopped' });
    expect((await invoke(rep.client, 'stopDialerSession', { sessionId })).status).toBe(200);
    expect((await invoke(rep.client, 'resumeDialerSession', { sessionId })).body).toMatchObject({ code: 'session_stopped' });
    expect((await invoke(rep.client, 'pauseDialerSession', { sessionId })).body).toMatchObject({ code: 'session_stopped' });
    const [row] = await server.db.sql<{ status: string; calls: number }>`
      select status, (select count(*)::int from active_calls where session_id = ${sessionId}) as calls from dialer_sessions where id = ${sessionId}`;
    expect(row).toEqual({ status: 'stopped', calls: 0 });
  });

  it('one live session per rep: a second start while one is active or paused is session_active; after a stop a new one starts', async () => {
    const first = sessionOf((await invoke(rep.client, 'startDialerSession', { listId, lines: 1 })).body);
    const again = await invoke(rep.client, 'startDialerSession', { listId, lines: 2 });
    expect(again.status).toBe(409);
    expect(again.body['code']).toBe('session_active');
    await invoke(rep.client, 'pauseDialerSession', { sessionId: first.id });
    expect((await invoke(rep.client, 'startDialerSession', { listId, lines: 2 })).body['code']).toBe('session_active');
    // Another rep is not held back by it.
    const other = await invoke(otherRep.client, 'startDialerSession', { listId, lines: 2 });
    expect(other.status).toBe(200);
    await stopLive(rep);
    await stopLive(otherRep);
    expect((await invoke(rep.client, 'startDialerSession', { listId, lines: 2 })).status).toBe(200);
    await stopLive(rep);
  });

  it('one live session per rep under 8 concurrent starts: exactly one starts, the others are session_active', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, index) => invoke(rep.client, 'startDialerSession', { listId, lines: (index % 3) + 1 })));
    expect(results.filter((result) => result.status === 200)).toHaveLength(1);
    expect(results.filter((result) => result.body['code'] === 'session_active')).toHaveLength(7);
    const [row] = await server.db.sql<{ n: number }>`select count(*)::int as n from dialer_sessions where user_email = ${rep.email} and status in ('active', 'paused')`;
    expect(row?.n).toBe(1);
    await stopLive(rep);
  });

  it('a rep drives only their own session: another rep, a manager and another workspace get session_not_found', async () => {
    const session = sessionOf((await invoke(rep.client, 'startDialerSession', { listId, lines: 2 })).body);
    for (const user of [otherRep, manager, admin, outsider]) {
      for (const name of ['pauseDialerSession', 'resumeDialerSession', 'stopDialerSession']) {
        const result = await invoke(user.client, name, { sessionId: session.id });
        expect({ user: user.email, name, status: result.status, code: result.body['code'] }).toEqual({ user: user.email, name, status: 404, code: 'session_not_found' });
      }
    }
    const [row] = await server.db.sql<{ status: string }>`select status from dialer_sessions where id = ${session.id}`;
    expect(row?.status).toBe('active');
    await stopLive(rep);
  });

  it('IN1 bad input, another workspace\'s list and an archived list are refused and write nothing', async () => {
    const before = await server.db.sql<{ n: number }>`select count(*)::int as n from dialer_sessions`;
    const refusals: [SignedUpUser, unknown, number, string][] = [
      [rep, { listId, lines: 4 }, 400, 'invalid_request'],
      [rep, { listId, lines: 0 }, 400, 'invalid_request'],
      [rep, { listId, lines: '2' }, 400, 'invalid_request'],
      [rep, { listId: 'not-a-uuid', lines: 1 }, 400, 'invalid_request'],
      [rep, { listId, lines: 1, filter: { statuses: ['do_not_call'] } }, 400, 'invalid_request'],
      [rep, { listId, lines: 1, filter: { where: 'true' } }, 400, 'invalid_request'],
      [rep, { listId, lines: 1, extra: true }, 400, 'invalid_request'],
      [outsider, { listId, lines: 1 }, 404, 'list_not_found'],
      [rep, { listId: crypto.randomUUID(), lines: 1 }, 404, 'list_not_found'],
    ];
    for (const [user, body, status, code] of refusals) {
      const result = await invoke(user.client, 'startDialerSession', body);
      expect({ body, status: result.status, code: result.body['code'] }).toEqual({ body, status, code });
    }
    const archivedId = String(((await invoke(admin.client, 'createLeadList', { name: 'Archived session list' })).body['list'] as { id: string }).id);
    expect((await invoke(admin.client, 'archiveLeadList', { listId: archivedId })).status).toBe(200);
    expect((await invoke(rep.client, 'startDialerSession', { listId: archivedId, lines: 1 })).body['code']).toBe('list_archived');
    expect((await invoke(rep.client, 'pauseDialerSession', { sessionId: 'x' })).body['code']).toBe('invalid_request');
    const after = await server.db.sql<{ n: number }>`select count(*)::int as n from dialer_sessions`;
    expect(after).toEqual(before);
  });

  it('RT2 WS1 a session\'s changes reach its rep and the workspace\'s managers live, and no other rep', async () => {
    const repFeed = subscribe(rep.client, 'dialer_sessions', undefined);
    const managerFeed = subscribe(manager.client, 'dialer_sessions', `user_email=eq.${rep.email}`);
    const otherFeed = subscribe(otherRep.client, 'dialer_sessions', undefined);
    for (const feed of [repFeed, managerFeed, otherFeed]) await feed.waitForState('SUBSCRIBED');
    const session = sessionOf((await invoke(rep.client, 'startDialerSession', { listId, lines: 2 })).body);
    await invoke(rep.client, 'pauseDialerSession', { sessionId: session.id });
    await invoke(rep.client, 'stopDialerSession', { sessionId: session.id });
    // The other rep's own session comes after the three changes on the same feed: by then they would have arrived.
    const own = sessionOf((await invoke(otherRep.client, 'startDialerSession', { listId, lines: 1 })).body);
    const statusesOf = (changes: readonly { eventType: string; new: Record<string, unknown> }[], id: string) =>
      changes.filter((change) => change.new['id'] === id).map((change) => `${change.eventType} ${String(change.new['status'])}`);
    expect(statusesOf(await repFeed.waitForChanges(3), session.id)).toEqual(['INSERT active', 'UPDATE paused', 'UPDATE stopped']);
    expect(statusesOf(await managerFeed.waitForChanges(3), session.id)).toEqual(['INSERT active', 'UPDATE paused', 'UPDATE stopped']);
    const seenByOther = await otherFeed.waitForChanges(1);
    expect(seenByOther.map((change) => (change.new as Record<string, unknown>)['id'])).toEqual([own.id]);
    for (const feed of [repFeed, managerFeed, otherFeed]) await feed.channel.unsubscribe();
    await stopLive(otherRep);
  });

  it('WS1 a rep reads their own sessions, a manager their workspace\'s, an outsider none; TR1 a client writes none', async () => {
    const repSession = sessionOf((await invoke(rep.client, 'startDialerSession', { listId, lines: 1 })).body);
    const otherSession = sessionOf((await invoke(otherRep.client, 'startDialerSession', { listId, lines: 1 })).body);
    const idsSeenBy = async (user: SignedUpUser) => {
      const { data, error } = await user.client.from('dialer_sessions').select('id, user_email').in('id', [repSession.id, otherSession.id]);
      expect(error).toBeNull();
      return (data ?? []).map((row: { id: string }) => row.id).sort();
    };
    expect(await idsSeenBy(rep)).toEqual([repSession.id]);
    expect(await idsSeenBy(otherRep)).toEqual([otherSession.id]);
    expect(await idsSeenBy(manager)).toEqual([repSession.id, otherSession.id].sort());
    expect(await idsSeenBy(outsider)).toEqual([]);

    const insert = await rep.client.from('dialer_sessions').insert({ user_email: rep.email, list_id: listId, lines: 1 });
    expect(insert.error).not.toBeNull();
    await rep.client.from('dialer_sessions').update({ status: 'stopped' }).eq('id', repSession.id);
    await rep.client.from('dialer_sessions').delete().eq('id', repSession.id);
    const { data: reservations } = await rep.client.from('lead_reservations').select('*');
    expect(reservations ?? []).toEqual([]);
    const [row] = await server.db.sql<{ status: string }>`select status from dialer_sessions where id = ${repSession.id}`;
    expect(row?.status).toBe('active');
    await stopLive(rep);
    await stopLive(otherRep);
  });
});
