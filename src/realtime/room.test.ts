import { SignJWT } from 'jose';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenService, type TokenService } from '../api/jwt.js';
import type { Clock } from '../telephony/provider.js';
import type { RealtimeCatalog } from './catalog.js';
import type { TableChange } from './change-feed.js';
import { decodeFrame, type Frame } from './protocol.js';
import type { Row } from '../db/database.js';
import {
  createRealtimeRoom,
  describeSlowConsumer,
  MAX_SEND_BUFFER_BYTES,
  MEMBER_DEACTIVATED_REASON,
  MEMBER_REMOVED_REASON,
  SLOW_CONSUMER_CLOSE_CODE,
  type RealtimeSessionHandle,
  type SocketPort,
} from './room.js';

const SECRET = 'room-test-secret-that-is-long-enough-for-hs256';
const DAY_MS = 24 * 3600 * 1000;
const catalog: RealtimeCatalog = new Map([
  ['active_calls', new Map([['id', 'uuid'], ['user_email', 'text'], ['workspace_id', 'uuid'], ['status', 'text'], ['notes', 'text']])],
  ['workspace_members', new Map([['user_email', 'text'], ['workspace_id', 'uuid'], ['role', 'text'], ['is_active', 'bool']])],
]);
const WORKSPACE = 'a0000000-0000-4000-8000-000000000001';
const OTHER_WORKSPACE = 'b0000000-0000-4000-8000-000000000002';

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

function change(email: string, n: number, workspaceId = WORKSPACE): TableChange {
  const record = { id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, user_email: email, workspace_id: workspaceId, status: 'ringing', notes: 'x'.repeat(1500) };
  return { schema: 'public', table: 'active_calls', type: 'UPDATE', commitTimestamp: new Date(0).toISOString(), record, oldRecord: { ...record, status: 'dialing' } };
}

type MemberFields = { workspaceId?: string; role?: 'admin' | 'manager' | 'rep'; isActive?: boolean };
function memberRow(email: string, { workspaceId = WORKSPACE, role = 'rep', isActive = true }: MemberFields = {}) {
  return { user_email: email, workspace_id: workspaceId, role, is_active: isActive };
}

/** A committed change of workspace_members, as the feed delivers it. */
function memberChange(email: string, fields: MemberFields | null, before: MemberFields | null): TableChange {
  const type = before === null ? 'INSERT' : fields === null ? 'DELETE' : 'UPDATE';
  return {
    schema: 'public',
    table: 'workspace_members',
    type,
    commitTimestamp: new Date(0).toISOString(),
    record: fields === null ? null : memberRow(email, fields),
    oldRecord: before === null ? null : memberRow(email, before),
  };
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

  function newRoom(clock: Clock = fakeClock(Date.now()), onPresence?: (email: string, isOnline: boolean) => void) {
    return createRealtimeRoom({ tokens, catalog, clock, logger: pino({ level: 'silent' }), onPresence });
  }

  async function join(session: RealtimeSessionHandle, socket: FakeSocket, topic: string, accessToken: string, tables = ['active_calls']): Promise<Frame> {
    const ref = String(socket.frames.length + 1);
    const postgresChanges = tables.map((table) => ({ event: '*', schema: 'public', table }));
    session.receive(JSON.stringify([ref, ref, topic, 'phx_join', { access_token: accessToken, config: { postgres_changes: postgresChanges } }]));
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
    room.deliver(memberChange(email, {}, null));
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

describe('WS1 the realtime room decides visibility from its membership cache', () => {
  let tokens: TokenService;
  const token = (email: string) =>
    new SignJWT({ role: 'authenticated', sub: crypto.randomUUID(), email })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('dialer')
      .setExpirationTime(Math.floor(Date.now() / 1000) + 3600)
      .sign(new TextEncoder().encode(SECRET));

  beforeAll(async () => {
    tokens = await createTokenService(SECRET);
  });

  /** A room with members, each on a socket of their own with one channel on active_calls and workspace_members. */
  async function floor(members: Record<string, MemberFields>, presence: Array<[string, boolean]> = []) {
    const room = createRealtimeRoom({ tokens, catalog, clock: fakeClock(Date.now()), logger: pino({ level: 'silent' }), onPresence: (email, isOnline) => presence.push([email, isOnline]) });
    await room.reloadMembers(async () => Object.entries(members).map(([email, fields]) => memberRow(email, fields)));
    const sockets: Record<string, FakeSocket> = {};
    const sessions: Record<string, RealtimeSessionHandle> = {};
    for (const email of Object.keys(members)) {
      const socket = new FakeSocket(true);
      sockets[email] = socket;
      sessions[email] = room.connect(socket, '2.0.0', tokens.anonKey);
    }
    const joinAs = async (email: string) => {
      const socket = sockets[email];
      const session = sessions[email];
      if (!socket || !session) throw new Error(`no socket for ${email}`);
      return (await joinTopic(session, socket, `realtime:${email}`, await token(email))).payload as { status: string; response: { reason?: string } };
    };
    /** Which members' sockets got the change, delivered now. */
    const receivers = (delivered: TableChange) => {
      const before = Object.fromEntries(Object.entries(sockets).map(([email, socket]) => [email, socket.changes().length]));
      room.deliver(delivered);
      return Object.entries(sockets)
        .filter(([email, socket]) => socket.changes().length > (before[email] ?? 0))
        .map(([email]) => email)
        .sort();
    };
    return { room, sockets, joinAs, receivers };
  }

  async function joinTopic(session: RealtimeSessionHandle, socket: FakeSocket, topic: string, accessToken: string): Promise<Frame> {
    const ref = String(socket.frames.length + 1);
    const postgresChanges = ['active_calls', 'workspace_members'].map((table) => ({ event: '*', schema: 'public', table }));
    session.receive(JSON.stringify([ref, ref, topic, 'phx_join', { access_token: accessToken, config: { postgres_changes: postgresChanges } }]));
    for (let i = 0; i < 100; i++) {
      const reply = socket.frames.find((f) => f.event === 'phx_reply' && f.ref === ref);
      if (reply) return reply;
      await settle();
    }
    throw new Error(`no reply to the join of ${topic}`);
  }

  const team = {
    'admin@a.test': { role: 'admin' },
    'manager@a.test': { role: 'manager' },
    'rep@a.test': { role: 'rep' },
    'rep2@a.test': { role: 'rep' },
    'manager@b.test': { role: 'manager', workspaceId: OTHER_WORKSPACE },
  } as const satisfies Record<string, MemberFields>;

  it("WS1 a rep's call reaches the rep and the admins and managers of their workspace, nobody else", async () => {
    const { joinAs, receivers } = await floor(team);
    for (const email of Object.keys(team)) expect(await joinAs(email)).toMatchObject({ status: 'ok' });
    expect(receivers(change('rep@a.test', 1))).toEqual(['admin@a.test', 'manager@a.test', 'rep@a.test']);
    expect(receivers(change('manager@a.test', 2))).toEqual(['admin@a.test', 'manager@a.test']);
    expect(receivers(change('manager@b.test', 3, OTHER_WORKSPACE))).toEqual(['manager@b.test']);
    // A row that names a workspace its owner is not in reaches nobody but those who watch that workspace's rows.
    expect(receivers(change('rep@a.test', 4, OTHER_WORKSPACE))).toEqual(['manager@b.test']);
  });

  it('WS1 a promotion, a demotion and a deactivation apply to the very next change, in feed order', async () => {
    const { joinAs, receivers, sockets, room } = await floor(team);
    for (const email of Object.keys(team)) await joinAs(email);
    // The promotion's own row goes out under the new rule: rep2 sees it as theirs, managers as their workspace's.
    expect(receivers(memberChange('rep2@a.test', { role: 'manager' }, { role: 'rep' }))).toEqual(['admin@a.test', 'manager@a.test', 'rep2@a.test']);
    expect(receivers(change('rep@a.test', 1))).toEqual(['admin@a.test', 'manager@a.test', 'rep2@a.test', 'rep@a.test']);
    receivers(memberChange('manager@a.test', { role: 'rep' }, { role: 'manager' }));
    expect(receivers(change('rep@a.test', 2))).toEqual(['admin@a.test', 'rep2@a.test', 'rep@a.test']);

    // Deactivated: their channel is told why and closed; the change goes on to the others.
    expect(receivers(memberChange('rep@a.test', { role: 'rep', isActive: false }, { role: 'rep' }))).toEqual(['admin@a.test', 'rep2@a.test']);
    const closed = sockets['rep@a.test']?.frames.slice(-2).map((f) => [f.event, (f.payload as { message?: string; reason?: string }).message ?? (f.payload as { reason?: string }).reason]);
    expect(closed).toEqual([
      ['system', MEMBER_DEACTIVATED_REASON],
      ['phx_close', MEMBER_DEACTIVATED_REASON],
    ]);
    expect(receivers(change('rep@a.test', 3))).toEqual(['admin@a.test', 'rep2@a.test']);
    // And cannot join again while deactivated.
    expect(await joinAs('rep@a.test')).toMatchObject({ status: 'error', response: { reason: MEMBER_DEACTIVATED_REASON } });
    expect(room.memberOf('rep@a.test')).toEqual({ workspaceId: WORKSPACE, role: 'rep', isActive: false });

    // Removed altogether: the same, with its own reason.
    receivers(memberChange('rep2@a.test', null, { role: 'manager' }));
    expect(sockets['rep2@a.test']?.frames.at(-1)).toMatchObject({ event: 'phx_close', payload: { reason: MEMBER_REMOVED_REASON } });
    expect(receivers(change('rep2@a.test', 4))).toEqual(['admin@a.test']);
  });

  it('WS1 a membership changed while the cache reloads is applied on top of the snapshot read before it', async () => {
    const room = createRealtimeRoom({ tokens, catalog, clock: fakeClock(Date.now()), logger: pino({ level: 'silent' }) });
    let release: (rows: Row[]) => void = () => {};
    const reloading = room.reloadMembers(() => new Promise<Row[]>((resolve) => (release = resolve)));
    room.deliver(memberChange('late@a.test', { role: 'manager' }, { role: 'rep' }));
    release([memberRow('late@a.test', { role: 'rep' }), memberRow('gone@a.test')]);
    await reloading;
    expect(room.memberOf('late@a.test')).toMatchObject({ role: 'manager' });
    expect(room.memberOf('gone@a.test')).toMatchObject({ role: 'rep' });
  });

  it("presence: a member's first channel on the room makes them online, their last one leaving offline", async () => {
    const presence: Array<[string, boolean]> = [];
    const { room, sockets } = await floor({ 'rep@a.test': {} }, presence);
    const socket = sockets['rep@a.test'];
    if (!socket) throw new Error('no socket');
    const other = new FakeSocket(true);
    const otherSession = room.connect(other, '2.0.0', tokens.anonKey);
    await joinTopic(otherSession, other, 'realtime:one', await token('rep@a.test'));
    await joinTopic(otherSession, other, 'realtime:two', await token('rep@a.test'));
    expect(presence).toEqual([['rep@a.test', true]]);
    // A fresh token for the same member changes nothing.
    otherSession.receive(JSON.stringify(['1', '99', 'realtime:one', 'access_token', { access_token: await token('rep@a.test') }]));
    await settle();
    otherSession.receive(JSON.stringify(['1', '100', 'realtime:one', 'phx_leave', {}]));
    await settle();
    expect(presence).toEqual([['rep@a.test', true]]);
    otherSession.closed();
    expect(presence).toEqual([
      ['rep@a.test', true],
      ['rep@a.test', false],
    ]);
  });
});
