import { SignJWT } from 'jose';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenService, type TokenService } from '../api/jwt.js';
import type { Clock } from '../telephony/provider.js';
import type { RealtimeCatalog } from './catalog.js';
import type { TableChange } from './change-feed.js';
import { decodeFrame, type Frame } from './protocol.js';
import { createRealtimeRoom, describeSlowConsumer, MAX_SEND_BUFFER_BYTES, SLOW_CONSUMER_CLOSE_CODE, type RealtimeSessionHandle, type SocketPort } from './room.js';

const SECRET = 'room-test-secret-that-is-long-enough-for-hs256';
const DAY_MS = 24 * 3600 * 1000;
const catalog: RealtimeCatalog = new Map([['active_calls', new Map([['id', 'uuid'], ['user_email', 'text'], ['status', 'text'], ['notes', 'text']])]]);

/** A socket whose client reads everything at once (`reading`) or nothing at all. */
class FakeSocket implements SocketPort {
  readonly frames: Frame[] = [];
  closedWith: { code: number; reason: string } | undefined;
  unread = 0;
  constructor(private readonly reading: boolean) {}
  isOpen = () => this.closedWith === undefined;
  send(data: string): void {
    if (!this.isOpen()) throw new Error('sent on a closed socket');
    const frame = decodeFrame(data, '2.0.0');
    if (frame) this.frames.push(frame);
    if (!this.reading) this.unread += Buffer.byteLength(data);
  }
  bufferedBytes = () => this.unread;
  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
  }
  changes = () => this.frames.filter((f) => f.event === 'postgres_changes');
}

/** A clock that moves only when told (STYLE 9). */
function fakeClock(start: number): Clock & { advance(ms: number): void } {
  let now = start;
  let tasks: Array<{ at: number; task: () => void }> = [];
  return {
    now: () => now,
    schedule(at, task) {
      const entry = { at, task };
      tasks.push(entry);
      return () => {
        tasks = tasks.filter((t) => t !== entry);
      };
    },
    advance(ms) {
      now += ms;
      const due = tasks.filter((t) => t.at <= now);
      tasks = tasks.filter((t) => t.at > now);
      for (const t of due) t.task();
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function change(email: string, n: number): TableChange {
  const record = { id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, user_email: email, status: 'ringing', notes: 'x'.repeat(1500) };
  return { schema: 'public', table: 'active_calls', type: 'UPDATE', commitTimestamp: new Date(0).toISOString(), record, oldRecord: { ...record, status: 'dialing' } };
}

describe('the realtime room', () => {
  let tokens: TokenService;
  const sign = (claims: Record<string, unknown>, expiresAt?: number) => {
    const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('dialer');
    return (expiresAt === undefined ? jwt : jwt.setExpirationTime(Math.floor(expiresAt / 1000))).sign(new TextEncoder().encode(SECRET));
  };
  const userClaims = (email: string) => ({ role: 'authenticated', sub: crypto.randomUUID(), email });

  beforeAll(async () => {
    tokens = await createTokenService(SECRET);
  });

  function newRoom(clock: Clock = fakeClock(Date.now())) {
    return createRealtimeRoom({ tokens, catalog, clock, logger: pino({ level: 'silent' }) });
  }

  async function join(session: RealtimeSessionHandle, socket: FakeSocket, topic: string, accessToken: string): Promise<Frame> {
    const ref = String(socket.frames.length + 1);
    session.receive(JSON.stringify([ref, ref, topic, 'phx_join', { access_token: accessToken, config: { postgres_changes: [{ event: '*', schema: 'public', table: 'active_calls' }] } }]));
    for (let i = 0; i < 100; i++) {
      const reply = socket.frames.find((f) => f.event === 'phx_reply' && f.ref === ref);
      if (reply) return reply;
      await settle();
    }
    throw new Error(`no reply to the join of ${topic}`);
  }

  it('a consumer that stops reading is closed with a reason once past the buffer limit; one that reads gets every change', async () => {
    const room = newRoom();
    const email = 'rep@example.com';
    const token = await sign(userClaims(email), Date.now() + 3600_000);
    const slow = new FakeSocket(false);
    const fast = new FakeSocket(true);
    const slowSession = room.connect(slow, '2.0.0', tokens.anonKey);
    const fastSession = room.connect(fast, '2.0.0', tokens.anonKey);
    await join(slowSession, slow, 'realtime:a', token);
    await join(slowSession, slow, 'realtime:b', token);
    await join(fastSession, fast, 'realtime:c', token);

    const total = Math.ceil((2 * MAX_SEND_BUFFER_BYTES) / 3000);
    for (let n = 0; n < total; n++) room.deliver(change(email, n));

    const reason = describeSlowConsumer(MAX_SEND_BUFFER_BYTES);
    expect(slow.closedWith).toEqual({ code: SLOW_CONSUMER_CLOSE_CODE, reason });
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    // Each channel is told why, after the last change it was sent.
    expect(slow.frames.slice(-2).map((f) => [f.topic, f.event, (f.payload as { status: string; message: string }).message])).toEqual([
      ['realtime:a', 'system', reason],
      ['realtime:b', 'system', reason],
    ]);
    expect(slow.changes().length).toBeLessThan(2 * total);
    expect(slow.unread).toBeLessThan(MAX_SEND_BUFFER_BYTES + 2 * 4096);
    expect(fast.changes()).toHaveLength(total);
    expect(fast.closedWith).toBeUndefined();
    expect(room.sessionCount()).toBe(1);

    // Frames it still sends are not answered, and it can join nothing more.
    slowSession.receive(JSON.stringify([null, 'hb', 'phoenix', 'heartbeat', {}]));
    slowSession.receive(JSON.stringify(['9', '9', 'realtime:d', 'phx_join', { access_token: token, config: {} }]));
    await settle();
    room.deliver(change(email, total));
    expect(fast.changes()).toHaveLength(total + 1);
    slowSession.closed();
    fastSession.closed();
    expect(room.sessionCount()).toBe(0);
  });

  it('heartbeats alone fill the buffer of a client that never reads its replies, and it is closed', async () => {
    const room = newRoom();
    const slow = new FakeSocket(false);
    const session = room.connect(slow, '2.0.0', tokens.anonKey);
    const beats = MAX_SEND_BUFFER_BYTES / 20;
    for (let i = 0; i < beats && !slow.closedWith; i += 1000) {
      for (let j = 0; j < 1000; j++) session.receive(JSON.stringify([null, String(i + j), 'phoenix', 'heartbeat', {}]));
      await settle();
    }
    expect(slow.closedWith?.code).toBe(SLOW_CONSUMER_CLOSE_CODE);
    expect(slow.unread).toBeLessThan(MAX_SEND_BUFFER_BYTES + 4096);
  });

  it('a token expires at its exp, however far ahead; one with no exp never does', async () => {
    // A whole second, as a token's exp is.
    const clock = fakeClock(Math.floor(Date.now() / 1000) * 1000);
    const room = newRoom(clock);
    const socket = new FakeSocket(true);
    const session = room.connect(socket, '2.0.0', tokens.anonKey);
    const topics = {
      'realtime:service': tokens.serviceRoleKey,
      'realtime:anon': tokens.anonKey,
      'realtime:no-exp': await sign(userClaims('forever@example.com')),
      'realtime:30-days': await sign(userClaims('month@example.com'), clock.now() + 30 * DAY_MS),
      'realtime:1-hour': await sign(userClaims('hour@example.com'), clock.now() + 3600_000),
    };
    for (const [topic, token] of Object.entries(topics)) expect((await join(session, socket, topic, token)).payload).toMatchObject({ status: 'ok' });
    const closedTopics = () => socket.frames.filter((f) => f.event === 'phx_close').map((f) => f.topic);

    clock.advance(3600_000 - 1);
    expect(closedTopics()).toEqual([]);
    clock.advance(1);
    expect(closedTopics()).toEqual(['realtime:1-hour']);
    clock.advance(30 * DAY_MS);
    expect(closedTopics()).toEqual(['realtime:1-hour', 'realtime:30-days']);
    clock.advance(11 * 365 * DAY_MS);
    expect(closedTopics()).toEqual(['realtime:1-hour', 'realtime:30-days', 'realtime:service', 'realtime:anon']);
    clock.advance(100 * 365 * DAY_MS);
    expect(closedTopics()).toHaveLength(4);
    expect(socket.frames.find((f) => f.event === 'system' && f.topic === 'realtime:1-hour' && (f.payload as { status: string }).status === 'error')?.payload).toMatchObject({ status: 'error', message: expect.stringMatching(/Token has expired/) });
  });
});
