import { createServer } from 'node:http';
import { createClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import WebSocket from 'ws';
import { startRealtimeServer } from '../src/realtime/realtime-server.js';
import { systemClock } from '../src/telephony/provider.js';
import { fastConfig, insertLead, invoke, waitForEnd } from './support/calls.js';
import { DATABASE_KINDS, REALTIME_DATABASE_KINDS } from './support/databases.js';
import { subscribe } from './support/realtime.js';
import { startTestServer, TEST_JWT_SECRET, type TestServer } from './support/server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(REALTIME_DATABASE_KINDS)('Realtime postgres_changes with supabase-js on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server.close();
  });

  async function signedInClient(prefix: string, options: { vsn?: '1.0.0' | '2.0.0' } = {}) {
    const user = await server.signUp(prefix);
    const client = createClient(server.url, server.tokens.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never, ...(options.vsn ? { vsn: options.vsn } : {}) },
      global: { headers: { Authorization: `Bearer ${user.accessToken}` } },
    });
    await client.realtime.setAuth(user.accessToken);
    return { ...user, client };
  }

  async function insertCall(email: string, line: number, leadId: string | null = null) {
    const [row] = await server.db.sql<{ id: string }>`
      insert into active_calls (user_email, line_number, to_number, lead_id, call_sid)
      values (${email}, ${line}, '+14155550190', ${leadId}, ${`CA${crypto.randomUUID().replaceAll('-', '')}`}) returning id`;
    return row?.id ?? '';
  }

  it.each(['2.0.0', '1.0.0'] as const)('the seed subscription (serializer %s) sees a call from INSERT through every status to the end', async (vsn) => {
    const { client, email } = await signedInClient(`seed-${vsn}`, { vsn });
    const sub = subscribe(client, 'active_calls', `user_email=eq.${email}`);
    await sub.waitForState('SUBSCRIBED');
    const placed = await invoke(client, 'mockDialerCall', { to: '+14155550191', userEmail: email, lineNumber: 1, mockConfig: fastConfig('completed', { talkSeconds: [0.2, 0.2] }) });
    await waitForEnd(server.db, placed.body['callId'] as string);
    const changes = await sub.waitForChanges(4);
    expect(changes.map((c) => [c.eventType, (c.new as { status?: string }).status])).toEqual([
      ['INSERT', 'dialing'],
      ['UPDATE', 'ringing'],
      ['UPDATE', 'in-progress'],
      ['UPDATE', 'completed'],
    ]);
    const last = changes[3];
    expect(last).toMatchObject({ schema: 'public', table: 'active_calls', errors: null });
    expect(last?.commit_timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(last?.old).toMatchObject({ status: 'in-progress' });
    expect(last?.new).toMatchObject({ id: placed.body['callId'], user_email: email, line_number: 1, is_mock: true });
    await client.removeAllChannels();
  });

  it('each filter operator selects exactly the rows it should, for a change made by any writer', async () => {
    const { client, email } = await signedInClient('filters');
    const leadId = await insertLead(server.db, email);
    const filters = {
      eq: 'line_number=eq.2',
      neq: 'line_number=neq.2',
      lt: 'line_number=lt.2',
      lte: 'line_number=lte.2',
      gt: 'line_number=gt.2',
      gte: 'line_number=gte.2',
      in: 'line_number=in.(1,3)',
      isNull: 'lead_id=is.null',
      leadEq: `lead_id=eq.${leadId}`,
    };
    const subs = Object.fromEntries(Object.entries(filters).map(([name, filter]) => [name, subscribe(client, 'active_calls', filter, 'INSERT')]));
    await Promise.all(Object.values(subs).map((s) => s.waitForState('SUBSCRIBED')));
    await insertCall(email, 1);
    await insertCall(email, 2, leadId);
    await insertCall(email, 3);
    await sleep(500);
    const lines = (name: string) => (subs[name]?.changes ?? []).map((c) => (c.new as { line_number: number }).line_number).sort();
    expect({
      eq: lines('eq'),
      neq: lines('neq'),
      lt: lines('lt'),
      lte: lines('lte'),
      gt: lines('gt'),
      gte: lines('gte'),
      in: lines('in'),
      isNull: lines('isNull'),
      leadEq: lines('leadEq'),
    }).toEqual({ eq: [2], neq: [1, 3], lt: [1], lte: [1, 2], gt: [3], gte: [2, 3], in: [1, 3], isNull: [1, 3], leadEq: [2] });
    await client.removeAllChannels();
  });

  it('receives DELETE with the old row, and nothing for an event it did not ask for', async () => {
    const { client, email } = await signedInClient('deletes');
    const deletes = subscribe(client, 'leads', `user_email=eq.${email}`, 'DELETE');
    const inserts = subscribe(client, 'leads', `user_email=eq.${email}`, 'INSERT');
    await Promise.all([deletes.waitForState('SUBSCRIBED'), inserts.waitForState('SUBSCRIBED')]);
    const leadId = await insertLead(server.db, email, 'To be removed');
    await server.db.sql`delete from leads where id = ${leadId}`;
    const [deleted] = await deletes.waitForChanges(1);
    expect(deleted).toMatchObject({ eventType: 'DELETE', new: {}, old: { id: leadId, name: 'To be removed' } });
    expect(inserts.changes.map((c) => c.eventType)).toEqual(['INSERT']);
    await client.removeAllChannels();
  });

  it('AU1 a filter on another user’s email, or no filter at all, never shows their rows', async () => {
    const alice = await signedInClient('alice');
    const bob = await signedInClient('bob');
    const spy = subscribe(bob.client, 'active_calls', `user_email=eq.${alice.email}`);
    const everything = subscribe(bob.client, 'active_calls', undefined);
    const own = subscribe(alice.client, 'active_calls', `user_email=eq.${alice.email}`);
    await Promise.all([spy.waitForState('SUBSCRIBED'), everything.waitForState('SUBSCRIBED'), own.waitForState('SUBSCRIBED')]);
    await insertCall(alice.email, 1);
    await own.waitForChanges(1);
    await sleep(300);
    expect(spy.changes).toEqual([]);
    expect(everything.changes).toEqual([]);
    await alice.client.removeAllChannels();
    await bob.client.removeAllChannels();
  });

  it.each([
    ['a table that does not exist', 'no_such_table', undefined, /no_such_table.*not available/],
    ['a table not open to realtime', 'twilio_call_logs', undefined, /not available/],
    ['a filter on a missing column', 'active_calls', 'nope=eq.1', /no column "nope"/],
    ['a malformed filter', 'active_calls', 'line_number~1', /invalid filter/],
    ['an unknown operator', 'active_calls', 'line_number=like.1', /invalid filter/],
  ])('CHANNEL_ERROR with a clear reason for %s', async (_what, table, filter, reason) => {
    const { client } = await signedInClient('bad');
    const sub = subscribe(client, table, filter);
    const state = await sub.waitForState('CHANNEL_ERROR');
    expect(state.error).toMatch(reason);
    expect(sub.states.some((s) => s.status === 'SUBSCRIBED')).toBe(false);
    await client.removeAllChannels();
  });

  it('CHANNEL_ERROR for a forged token', async () => {
    const { client, email, userId } = await signedInClient('forged');
    const forged = await new SignJWT({ sub: userId, email, role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('dialer')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('not-the-server-secret-but-long-enough!!'));
    await client.realtime.setAuth(forged);
    const sub = subscribe(client, 'active_calls', `user_email=eq.${email}`);
    expect((await sub.waitForState('CHANNEL_ERROR')).error).toMatch(/Invalid token/);
    await client.removeAllChannels();
  });

  it('a refreshed access token keeps the channel delivering; an expired one closes it with a reason', async () => {
    const { client, email, userId } = await signedInClient('expiry');
    const [session] = await server.db.sql<{ id: string }>`select s.id from auth.sessions s where s.user_id = ${userId} limit 1`;
    const identity = { id: userId, email, sessionId: session?.id ?? '' };
    const now = Math.floor(Date.now() / 1000);
    const shortLived = await server.tokens.signAccessToken(identity, now - 3600 + 2);
    await client.realtime.setAuth(shortLived.token);
    const sub = subscribe(client, 'active_calls', `user_email=eq.${email}`);
    await sub.waitForState('SUBSCRIBED');
    // Refresh before expiry: the channel goes on past the first token's end.
    const fresh = await server.tokens.signAccessToken(identity);
    await client.realtime.setAuth(fresh.token);
    await sleep(2_500);
    await insertCall(email, 1);
    await sub.waitForChanges(1);
    expect(sub.states.map((s) => s.status)).toEqual(['SUBSCRIBED']);

    // Now a token that runs out, with no refresh: delivery stops and the channel closes.
    const other = await signedInClient('expiry-2');
    const later = Math.floor(Date.now() / 1000);
    const ending = await server.tokens.signAccessToken({ id: other.userId, email: other.email, sessionId: identity.sessionId }, later - 3600 + 2);
    await other.client.realtime.setAuth(ending.token);
    const closing = subscribe(other.client, 'active_calls', `user_email=eq.${other.email}`);
    await closing.waitForState('SUBSCRIBED');
    await closing.waitForState('CLOSED', 6_000);
    await insertCall(other.email, 1);
    await sleep(300);
    expect(closing.changes).toEqual([]);
    await client.removeAllChannels();
    await other.client.removeAllChannels();
  });

  it('leaving a channel stops delivery', async () => {
    const { client, email } = await signedInClient('leaver');
    const sub = subscribe(client, 'active_calls', `user_email=eq.${email}`);
    await sub.waitForState('SUBSCRIBED');
    expect(await sub.channel.unsubscribe()).toBe('ok');
    await insertCall(email, 2);
    await sleep(300);
    expect(sub.changes).toEqual([]);
  });

  it('RT1 after the server closes the socket, the client reconnects, rejoins and receives again', async () => {
    const { client, email } = await signedInClient('reconnect');
    const sub = subscribe(client, 'active_calls', `user_email=eq.${email}`);
    await sub.waitForState('SUBSCRIBED');
    server.realtime.room.closeAll('test cut');
    await sleep(50);
    await insertCall(email, 3);
    // The change made while disconnected is not replayed: a client refetches on rejoin (RT1).
    const joinedAgain = () => sub.states.filter((s) => s.status === 'SUBSCRIBED').length >= 2;
    for (let i = 0; i < 200 && !joinedAgain(); i++) await sleep(50);
    expect(joinedAgain()).toBe(true);
    const before = sub.changes.length;
    await server.db.sql`update active_calls set status = 'ringing' where user_email = ${email} and line_number = 3`;
    const changes = await sub.waitForChanges(before + 1);
    expect(changes.at(-1)).toMatchObject({ eventType: 'UPDATE', new: { status: 'ringing' } });
    await client.removeAllChannels();
  });

  it('a secret that is not the server’s cannot even open a socket', async () => {
    const forgedKey = await new SignJWT({ role: 'anon' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('dialer').sign(new TextEncoder().encode(`${TEST_JWT_SECRET}-other`));
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${forgedKey}&vsn=2.0.0`);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(401);
  });
});

describe('realtime sockets that stop sending heartbeats', () => {
  it('are closed by the server', async () => {
    const server = await startTestServer(DATABASE_KINDS[0] ?? 'pglite');
    try {
      await server.stopRealtime();
      const http = createServer();
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      const realtime = await startRealtimeServer({ server: http, db: server.db, tokens: server.tokens, clock: systemClock, logger: pino({ level: 'silent' }), idleSocketMs: 300 });
      const { port } = http.address() as { port: number };
      const silent = new WebSocket(`ws://127.0.0.1:${port}/realtime/v1/websocket?apikey=${server.tokens.anonKey}&vsn=2.0.0`);
      const chatty = new WebSocket(`ws://127.0.0.1:${port}/realtime/v1/websocket?apikey=${server.tokens.anonKey}&vsn=2.0.0`);
      await Promise.all([silent, chatty].map((ws) => new Promise((resolve) => ws.once('open', resolve))));
      const beat = setInterval(() => chatty.send(JSON.stringify([null, 'hb', 'phoenix', 'heartbeat', {}])), 100);
      await new Promise((resolve) => silent.once('close', resolve));
      expect(chatty.readyState).toBe(WebSocket.OPEN);
      clearInterval(beat);
      chatty.close();
      await realtime.stop();
      http.close();
    } finally {
      await server.close();
    }
  });
});
