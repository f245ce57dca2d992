import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { watchCall, type CallWatchState } from '../src/client/call-watcher.js';
import { decodeFrame, type Frame } from '../src/realtime/protocol.js';
import { describeSlowConsumer, MAX_SEND_BUFFER_BYTES, SLOW_CONSUMER_CLOSE_CODE } from '../src/realtime/room.js';
import { insertLead } from './support/calls.js';
import { REALTIME_DATABASE_KINDS } from './support/databases.js';
import { subscribe } from './support/realtime.js';
import { startTestServer, TEST_JWT_SECRET, waitFor, type TestServer } from './support/server.js';

const DAY_SECONDS = 24 * 3600;
/** Large enough that a few dozen changes overflow the loopback socket's kernel buffers too. */
const NOTES_BYTES = 256 * 1024;
/** More lead changes than any kernel buffer plus the room's limit can hold. */
const MAX_BULK_CHANGES = 400;
const SLOW_REASON = describeSlowConsumer(MAX_SEND_BUFFER_BYTES);

/** A ws client whose reading can be stopped, as supabase-js's transport, so the test can make it slow. */
class PausableWebSocket extends WebSocket {
  static readonly opened: PausableWebSocket[] = [];
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    PausableWebSocket.opened.push(this);
  }
}

describe.each(REALTIME_DATABASE_KINDS)('Realtime limits on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server.close();
  });

  /** A client that sends `accessToken` on REST and realtime alike, set before any channel joins. */
  async function clientWith(accessToken: string, apiKey = server.tokens.anonKey, transport: unknown = WebSocket): Promise<SupabaseClient> {
    const client = createClient(server.url, apiKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      accessToken: async () => accessToken,
      realtime: { transport: transport as never },
    });
    await client.realtime.setAuth(accessToken);
    return client;
  }

  async function insertCall(email: string): Promise<string> {
    // provider 'twilio' in a server without production mode: no sweeper touches the row.
    const [row] = await server.db.sql<{ id: string }>`
      insert into active_calls (user_email, line_number, to_number, provider, call_sid)
      values (${email}, 1, '+14155550190', 'twilio', ${`CA${crypto.randomUUID().replaceAll('-', '')}`}) returning id`;
    return row?.id ?? '';
  }

  /** Rewrites a lead's notes with a large text, one change of about NOTES_BYTES per subscriber. */
  async function rewriteNotes(leadId: string, n: number): Promise<void> {
    await server.db.sql`update leads set notes = ${`${n}:${'n'.repeat(NOTES_BYTES)}`} where id = ${leadId}`;
  }

  /** Produces large changes of `leadId` until the room has dropped one session; returns how many. */
  async function overflowOneSession(leadId: string, afterEach: (n: number) => Promise<void> = async () => {}): Promise<number> {
    const sessionsBefore = server.realtime.room.sessionCount();
    for (let n = 1; n <= MAX_BULK_CHANGES; n++) {
      await rewriteNotes(leadId, n);
      await afterEach(n);
      if (server.realtime.room.sessionCount() < sessionsBefore) return n;
    }
    throw new Error(`no session was dropped after ${MAX_BULK_CHANGES} changes`);
  }

  it('a raw socket that stops reading but keeps sending heartbeats is closed with 1013 and a reason; a supabase-js subscriber gets every change', async () => {
    const { email, accessToken } = await server.signUp('slow');
    const leadId = await insertLead(server.db, email);
    const reader = await clientWith(accessToken);
    onTestFinished(() => reader.removeAllChannels().then(() => undefined));
    const steady = subscribe(reader, 'leads', `user_email=eq.${email}`, 'UPDATE');
    await steady.waitForState('SUBSCRIBED');

    const slow = new WebSocket(`${server.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${server.tokens.anonKey}&vsn=2.0.0`);
    const frames: Frame[] = [];
    slow.on('message', (data: Buffer) => {
      const frame = decodeFrame(data.toString(), '2.0.0');
      if (frame) frames.push(frame);
    });
    onTestFinished(() => slow.terminate());
    const closed = new Promise<{ code: number; reason: string }>((resolve) => slow.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    await new Promise((resolve) => slow.once('open', resolve));
    slow.send(JSON.stringify(['1', '1', 'realtime:slow', 'phx_join', { access_token: accessToken, config: { postgres_changes: [{ event: 'UPDATE', schema: 'public', table: 'leads', filter: `user_email=eq.${email}` }] } }]));
    await waitFor(async () => frames.find((f) => f.event === 'phx_reply' && f.ref === '1'));

    slow.pause();
    let beat = 0;
    const heartbeats = setInterval(() => slow.send(JSON.stringify([null, `hb${++beat}`, 'phoenix', 'heartbeat', {}])), 50);
    try {
      // Each change is read by the steady subscriber before the next is made, so only the paused socket falls behind.
      const made = await overflowOneSession(leadId, (n) => steady.waitForChanges(n).then(() => undefined));
      await rewriteNotes(leadId, made + 1);
      await steady.waitForChanges(made + 1);
      expect(steady.changes.map((c) => String((c.new as { notes: string }).notes).split(':')[0])).toEqual(Array.from({ length: made + 1 }, (_, i) => String(i + 1)));
      expect(steady.states.map((s) => s.status)).toEqual(['SUBSCRIBED']);
    } finally {
      clearInterval(heartbeats);
    }

    slow.resume();
    expect(await closed).toEqual({ code: SLOW_CONSUMER_CLOSE_CODE, reason: SLOW_REASON });
    // What it read before the close: changes, then the channel told why.
    expect(frames.at(-1)).toMatchObject({ topic: 'realtime:slow', event: 'system', payload: { status: 'error', message: SLOW_REASON } });
    const changesRead = frames.filter((f) => f.event === 'postgres_changes').length;
    expect(changesRead).toBeGreaterThan(0);
    expect(changesRead).toBeLessThan(steady.changes.length);
  });

  it('RT1 the call watcher whose socket was closed as too slow polls, resubscribes and refetches what it missed, then is live again', async () => {
    const { email, accessToken } = await server.signUp('slow-watcher');
    const leadId = await insertLead(server.db, email);
    const socketsBefore = PausableWebSocket.opened.length;
    const client = await clientWith(accessToken, server.tokens.anonKey, PausableWebSocket);
    const states: CallWatchState[] = [];
    const stop = watchCall(client, { userEmail: email, leadId: null }, (state) => states.push(state), { pollIntervalMs: 200, resubscribeDelayMs: 200 });
    try {
      // A second channel on the same socket, following large lead changes, is what fills its buffer.
      const bulk = subscribe(client, 'leads', `user_email=eq.${email}`, 'UPDATE');
      await bulk.waitForState('SUBSCRIBED');
      await waitFor(async () => (states.at(-1)?.mode === 'live' ? true : undefined), 10_000, 'the watcher live');
      const callId = await insertCall(email);
      await waitFor(async () => (states.at(-1)?.call?.id === callId ? true : undefined), 10_000, 'the new call shown');

      expect(PausableWebSocket.opened.length).toBe(socketsBefore + 1);
      const socket = PausableWebSocket.opened.at(-1);
      if (!socket) throw new Error('supabase-js opened no socket');
      socket.pause();
      await overflowOneSession(leadId);
      // Made after the server let the socket go: never sent on it, so only a refetch can show it.
      await server.db.sql`update active_calls set status = 'ringing' where id = ${callId}`;
      const statesBeforeResume = states.length;
      socket.resume();

      // What supabase-js reports for the close, on every channel of the socket.
      const error = await waitFor(async () => bulk.states.find((s) => s.status === 'CHANNEL_ERROR'), 20_000, 'the bulk channel to report the close');
      expect(error.error).toBe(`socket closed: ${SLOW_CONSUMER_CLOSE_CODE} (${SLOW_REASON})`);
      const back = await waitFor(
        async () => {
          const last = states.at(-1);
          return last?.mode === 'live' && last.call?.status === 'ringing' ? last : undefined;
        },
        30_000,
        'the watcher live again showing the missed status',
      );
      expect(back.call?.id).toBe(callId);
      expect(states.slice(statesBeforeResume).some((s) => s.mode === 'polling')).toBe(true);
      expect(PausableWebSocket.opened.length).toBeGreaterThan(socketsBefore + 1);
      await waitFor(async () => (bulk.states.filter((s) => s.status === 'SUBSCRIBED').length === 2 ? true : undefined), 20_000, 'the bulk channel rejoined');

      // Live delivery works on the new socket.
      await server.db.sql`update active_calls set status = 'in-progress' where id = ${callId}`;
      const live = await waitFor(async () => (states.at(-1)?.call?.status === 'in-progress' ? states.at(-1) : undefined), 10_000, 'in-progress shown');
      expect(live.mode).toBe('live');
    } finally {
      stop();
      await client.removeAllChannels();
    }
  });

  async function signToken(claims: Record<string, unknown>, expiresAtSeconds?: number): Promise<string> {
    const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuer('dialer').setIssuedAt();
    return (expiresAtSeconds === undefined ? jwt : jwt.setExpirationTime(expiresAtSeconds)).sign(new TextEncoder().encode(TEST_JWT_SECRET));
  }

  it('the service-role key, the anon key, a 30-day token and a token with no exp stay subscribed and receive their changes', async () => {
    const { email, userId } = await server.signUp('long-lived');
    const userClaims = { role: 'authenticated', aud: 'authenticated', sub: userId, email };
    const service = await clientWith(server.tokens.serviceRoleKey, server.tokens.serviceRoleKey);
    const anon = await clientWith(server.tokens.anonKey);
    const month = await clientWith(await signToken(userClaims, Math.floor(Date.now() / 1000) + 30 * DAY_SECONDS));
    const forever = await clientWith(await signToken(userClaims));
    const subs = {
      service: subscribe(service, 'active_calls', `user_email=eq.${email}`),
      anon: subscribe(anon, 'active_calls', undefined),
      month: subscribe(month, 'active_calls', `user_email=eq.${email}`),
      forever: subscribe(forever, 'active_calls', `user_email=eq.${email}`),
    };
    await Promise.all(Object.values(subs).map((s) => s.waitForState('SUBSCRIBED')));
    const callId = await insertCall(email);
    await server.db.sql`update active_calls set status = 'ringing' where id = ${callId}`;
    for (const sub of [subs.service, subs.month, subs.forever]) {
      const changes = await sub.waitForChanges(2);
      expect(changes.map((c) => [c.eventType, (c.new as { status: string }).status])).toEqual([
        ['INSERT', 'dialing'],
        ['UPDATE', 'ringing'],
      ]);
    }
    // Before, each of these was closed as "expired" the moment it joined.
    expect(Object.fromEntries(Object.entries(subs).map(([name, sub]) => [name, sub.states.map((s) => s.status)]))).toEqual({
      service: ['SUBSCRIBED'],
      anon: ['SUBSCRIBED'],
      month: ['SUBSCRIBED'],
      forever: ['SUBSCRIBED'],
    });
    expect(subs.anon.changes).toEqual([]);
    await Promise.all([service, anon, month, forever].map((c) => c.removeAllChannels()));
  });

  it('a token that runs out closes its channel with the reason, and nothing more is delivered', async () => {
    const { email, userId } = await server.signUp('expiring');
    const client = await clientWith(await signToken({ role: 'authenticated', aud: 'authenticated', sub: userId, email }, Math.floor(Date.now() / 1000) + 2));
    const messages: string[] = [];
    const delivered: unknown[] = [];
    const statuses: string[] = [];
    client
      .channel(`expiring-${userId}`)
      .on('system', {}, (payload: { status?: string; message?: string }) => {
        if (payload.status === 'error' && payload.message) messages.push(payload.message);
      })
      .on('postgres_changes', { event: '*', schema: 'public', table: 'active_calls', filter: `user_email=eq.${email}` }, (payload) => delivered.push(payload))
      .subscribe((status) => statuses.push(status));
    await waitFor(async () => (statuses.includes('CLOSED') ? true : undefined), 10_000, 'the channel closed');
    expect(statuses).toEqual(['SUBSCRIBED', 'CLOSED']);
    expect(messages).toEqual([expect.stringMatching(/^Token has expired/)]);

    // The service role sees the change, so it has been delivered to everyone who may see it.
    const service = await clientWith(server.tokens.serviceRoleKey, server.tokens.serviceRoleKey);
    const witness = subscribe(service, 'active_calls', `user_email=eq.${email}`);
    await witness.waitForState('SUBSCRIBED');
    await insertCall(email);
    await witness.waitForChanges(1);
    expect(delivered).toEqual([]);
    await Promise.all([client, service].map((c) => c.removeAllChannels()));
  });
});
