import type { Logger } from 'pino';
import { z } from 'zod';
import type { TokenService } from '../api/jwt.js';
import type { Clock } from '../telephony/provider.js';
import { canViewRow, ownerOf, type Viewer } from './authorize.js';
import { isRealtimeTable, type RealtimeCatalog, type RealtimeTable } from './catalog.js';
import type { ChangeType, TableChange } from './change-feed.js';
import { matchesFilter, parseRowFilter, type RowFilter } from './filter.js';
import { decodeFrame, encodeFrame, PHOENIX_EVENTS, type Frame, type SerializerVersion } from './protocol.js';

export const MAX_CHANNELS_PER_SOCKET = 100;
export const MAX_BINDINGS_PER_CHANNEL = 20;
/** Close code for a socket the server ends on purpose (as Phoenix's normal close). */
export const SERVER_CLOSE_CODE = 1000;
/**
 * Close code for a server going away on purpose, to come back or be replaced ("service restart",
 * RFC 6455 registry, 1012): realtime-js reconnects after any close it did not ask for, rejoins its
 * channels, and the UI's watchers refetch.
 */
export const SERVICE_RESTART_CLOSE_CODE = 1012;
/**
 * How many bytes may wait unread for one socket before it is closed as too slow. A change of a
 * call row is about 3 KiB, so 1 MiB is over 300 changes: far more than a client that reads at
 * all falls behind by, while a client that stopped reading costs at most this much memory (plus
 * the kernel's socket buffers), not the unbounded growth it would otherwise cause. A client closed
 * for it loses nothing it cannot get back: it reconnects, rejoins and refetches, as after any cut.
 */
export const MAX_SEND_BUFFER_BYTES = 1024 * 1024;
/** Close code for a consumer that fell too far behind: "try again later" (RFC 6455, 1013). */
export const SLOW_CONSUMER_CLOSE_CODE = 1013;

/** Why a slow consumer was closed, for its channels and its close frame (at most 123 bytes). */
export function describeSlowConsumer(limitBytes: number): string {
  const limit = limitBytes % (1024 * 1024) === 0 ? `${limitBytes / (1024 * 1024)} MiB` : `${Math.ceil(limitBytes / 1024)} KiB`;
  return `Too slow: over ${limit} of messages unread. Reconnect, rejoin and refetch.`;
}

/** What the room reports for metrics (src/metrics.ts); a room built without it reports nothing. */
export interface RoomMetrics {
  /** Read when metrics are scraped: open sockets and joined channels. */
  trackRoom(size: { readonly sockets: () => number; readonly channels: () => number }): void;
  countDelivered(table: RealtimeTable): void;
  countSlowConsumerDropped(): void;
}

/** The room's view of a WebSocket (STYLE 14): it knows sessions, not sockets. */
export interface SocketPort {
  isOpen(): boolean;
  send(data: string): void;
  /** Bytes sent but not yet written out to the network (the socket's own queue included). */
  bufferedBytes(): number;
  close(code: number, reason: string): void;
}

interface Binding {
  readonly id: number;
  readonly event: '*' | ChangeType;
  readonly schema: 'public';
  readonly table: RealtimeTable;
  readonly filterText: string | undefined;
  readonly filter: RowFilter | undefined;
}

interface Channel {
  readonly session: Session;
  readonly topic: string;
  readonly joinRef: string | null;
  readonly bindings: readonly Binding[];
  viewer: Viewer;
  cancelExpiry: () => void;
}

interface Session {
  readonly socket: SocketPort;
  readonly version: SerializerVersion;
  /** The token the socket connected with (its apikey), used when a join carries none. */
  readonly connectToken: string;
  readonly channels: Map<string, Channel>;
}

const joinPayloadSchema = z.object({
  access_token: z.string().min(1).optional(),
  config: z
    .object({
      postgres_changes: z
        .array(z.object({ event: z.string(), schema: z.string(), table: z.string(), filter: z.string().optional() }).loose())
        .max(MAX_BINDINGS_PER_CHANNEL)
        .optional(),
      private: z.boolean().optional(),
    })
    .loose()
    .optional(),
});

const accessTokenPayloadSchema = z.object({ access_token: z.string().min(1) });

export interface RealtimeSessionHandle {
  receive(raw: string): void;
  closed(): void;
}

export interface RealtimeRoom {
  /** Starts a session for a socket that connected with `connectToken` (its apikey). */
  connect(socket: SocketPort, version: SerializerVersion, connectToken: string): RealtimeSessionHandle;
  /** Delivers one committed change to every channel allowed and subscribed to see it. */
  deliver(change: TableChange): void;
  /** Closes every socket (shutdown, and tests that cut the connection), by default as a normal close. */
  closeAll(reason: string, code?: number): void;
  readonly sessionCount: () => number;
}

/** Realtime `postgres_changes` over Phoenix channels, as Supabase Realtime serves them. */
export function createRealtimeRoom({
  tokens,
  catalog,
  clock,
  logger,
  maxSendBufferBytes = MAX_SEND_BUFFER_BYTES,
  metrics,
}: {
  tokens: TokenService;
  catalog: RealtimeCatalog;
  clock: Clock;
  logger: Logger;
  maxSendBufferBytes?: number;
  metrics?: RoomMetrics | undefined;
}): RealtimeRoom {
  const sessions = new Set<Session>();
  // Channels indexed by the user whose rows they may see, so a change reaches only its owner's channels.
  const channelsByOwner = new Map<string, Set<Channel>>();
  const serviceChannels = new Set<Channel>();
  let nextBindingId = 1;
  const slowConsumerReason = describeSlowConsumer(maxSendBufferBytes);
  const columnListOf = new Map([...catalog].map(([table, columns]) => [table, [...columns].map(([name, type]) => ({ name, type }))]));
  metrics?.trackRoom({ sockets: () => sessions.size, channels: () => [...sessions].reduce((sum, session) => sum + session.channels.size, 0) });

  function write(session: Session, frame: Frame): void {
    if (session.socket.isOpen()) session.socket.send(encodeFrame(frame, session.version));
  }

  /** Sends to a live session; one that has fallen too far behind is closed, others go on. */
  function send(session: Session, frame: Frame): void {
    if (!sessions.has(session)) return;
    write(session, frame);
    if (session.socket.bufferedBytes() > maxSendBufferBytes) dropSlowSession(session);
  }

  /**
   * Ends a session whose client stopped reading. Each channel is told why first (a `system`
   * frame, read if the client catches up), then the socket closes with the reason. No
   * `phx_close` is sent: the client sees a socket closed with an error, so supabase-js
   * reconnects and rejoins by itself, and its subscribers refetch.
   */
  function dropSlowSession(session: Session): void {
    sessions.delete(session);
    metrics?.countSlowConsumerDropped();
    logger.warn({ buffered: session.socket.bufferedBytes(), channels: session.channels.size }, 'realtime: closing a consumer that fell behind');
    for (const channel of [...session.channels.values()]) {
      removeChannel(channel);
      write(session, systemError(channel, slowConsumerReason));
    }
    session.socket.close(SLOW_CONSUMER_CLOSE_CODE, slowConsumerReason);
  }

  function systemError({ joinRef, topic }: Channel, message: string): Frame {
    return { joinRef, ref: null, topic, event: PHOENIX_EVENTS.system, payload: { status: 'error', extension: 'system', channel: topic.replace(/^realtime:/, ''), message } };
  }

  function reply(session: Session, frame: Frame, status: 'ok' | 'error', response: Record<string, unknown>): void {
    send(session, { joinRef: frame.joinRef, ref: frame.ref, topic: frame.topic, event: PHOENIX_EVENTS.reply, payload: { status, response } });
  }

  function index(channel: Channel): void {
    if (channel.viewer.role === 'service_role') serviceChannels.add(channel);
    if (channel.viewer.role !== 'authenticated') return;
    const owned = channelsByOwner.get(channel.viewer.email) ?? new Set<Channel>();
    owned.add(channel);
    channelsByOwner.set(channel.viewer.email, owned);
  }

  function unindex(channel: Channel): void {
    serviceChannels.delete(channel);
    if (channel.viewer.role !== 'authenticated') return;
    const owned = channelsByOwner.get(channel.viewer.email);
    owned?.delete(channel);
    if (owned?.size === 0) channelsByOwner.delete(channel.viewer.email);
  }

  function removeChannel(channel: Channel): void {
    channel.cancelExpiry();
    unindex(channel);
    channel.session.channels.delete(channel.topic);
  }

  /** Ends a channel from the server side with a reason the client can show. */
  function closeChannel(channel: Channel, message: string): void {
    const { session, topic, joinRef } = channel;
    removeChannel(channel);
    send(session, systemError(channel, message));
    send(session, { joinRef, ref: null, topic, event: PHOENIX_EVENTS.close, payload: { reason: message } });
  }

  async function viewerOf(token: string): Promise<{ ok: true; viewer: Viewer; expiresAt: number } | { ok: false; reason: string }> {
    const claims = await tokens.verify(token);
    if (!claims.ok) return { ok: false, reason: claims.error.message };
    const { role, email } = claims.value;
    // A key signed without `exp` never expires (the clock takes Infinity as never).
    const expSeconds: unknown = claims.value.exp;
    const expiresAt = typeof expSeconds === 'number' ? expSeconds * 1000 : Infinity;
    if (role === 'authenticated' && email) return { ok: true, viewer: { role, email }, expiresAt };
    if (role === 'service_role') return { ok: true, viewer: { role }, expiresAt };
    return { ok: true, viewer: { role: 'anon' }, expiresAt };
  }

  function scheduleExpiry(channel: Channel, expiresAt: number): void {
    channel.cancelExpiry();
    channel.cancelExpiry = clock.schedule(expiresAt, () => closeChannel(channel, 'Token has expired: sign in again or refresh the access token to keep receiving changes.'));
  }

  function parseBindings(config: z.infer<typeof joinPayloadSchema>['config']): { ok: true; bindings: Binding[] } | { ok: false; reason: string } {
    if (config?.private) return { ok: false, reason: 'Private channels are not supported: subscribe to postgres_changes on a public channel.' };
    const bindings: Binding[] = [];
    for (const requested of config?.postgres_changes ?? []) {
      const { event, schema, table, filter: filterText } = requested;
      if (event !== '*' && event !== 'INSERT' && event !== 'UPDATE' && event !== 'DELETE') {
        return { ok: false, reason: `Invalid event "${event}": use *, INSERT, UPDATE or DELETE.` };
      }
      if (schema !== 'public' || !isRealtimeTable(table)) {
        return { ok: false, reason: `Unable to subscribe to changes of ${schema}.${table}: it does not exist or is not available for realtime.` };
      }
      const filter = parseRowFilter(filterText, catalog.get(table) ?? new Map());
      if (!filter.ok) return { ok: false, reason: `Unable to subscribe to changes of ${schema}.${table}: ${filter.reason}.` };
      bindings.push({ id: nextBindingId++, event, schema, table, filterText, filter: filter.filter });
    }
    return { ok: true, bindings };
  }

  async function join(session: Session, frame: Frame): Promise<void> {
    const payload = joinPayloadSchema.safeParse(frame.payload ?? {});
    if (!payload.success) return reply(session, frame, 'error', { reason: 'Invalid join payload: expected { config, access_token }.' });
    const existing = session.channels.get(frame.topic);
    if (existing) removeChannel(existing);
    if (session.channels.size >= MAX_CHANNELS_PER_SOCKET) {
      return reply(session, frame, 'error', { reason: `Too many channels on one connection (at most ${MAX_CHANNELS_PER_SOCKET}).` });
    }
    const identity = await viewerOf(payload.data.access_token ?? session.connectToken);
    // The socket may have closed while the token was checked: a channel added now would never be removed.
    if (!sessions.has(session)) return;
    if (!identity.ok) return reply(session, frame, 'error', { reason: `Invalid token: ${identity.reason}` });
    const parsed = parseBindings(payload.data.config);
    if (!parsed.ok) return reply(session, frame, 'error', { reason: parsed.reason });

    const channel: Channel = { session, topic: frame.topic, joinRef: frame.joinRef ?? frame.ref, bindings: parsed.bindings, viewer: identity.viewer, cancelExpiry: () => {} };
    session.channels.set(frame.topic, channel);
    index(channel);
    scheduleExpiry(channel, identity.expiresAt);
    reply(session, frame, 'ok', {
      postgres_changes: parsed.bindings.map(({ id, event, schema, table, filterText }) => ({ id, event, schema, table, ...(filterText === undefined ? {} : { filter: filterText }) })),
    });
    if (parsed.bindings.length > 0) {
      send(session, {
        joinRef: channel.joinRef,
        ref: null,
        topic: frame.topic,
        event: PHOENIX_EVENTS.system,
        payload: { status: 'ok', extension: 'postgres_changes', channel: frame.topic.replace(/^realtime:/, ''), message: 'Subscribed to PostgreSQL' },
      });
    }
  }

  async function refreshToken(session: Session, frame: Frame, channel: Channel): Promise<void> {
    const payload = accessTokenPayloadSchema.safeParse(frame.payload);
    const identity = payload.success ? await viewerOf(payload.data.access_token) : ({ ok: false, reason: 'no access_token given' } as const);
    if (session.channels.get(channel.topic) !== channel) return;
    if (!identity.ok) return closeChannel(channel, `Invalid token: ${identity.reason}`);
    unindex(channel);
    channel.viewer = identity.viewer;
    index(channel);
    scheduleExpiry(channel, identity.expiresAt);
    if (frame.ref) reply(session, frame, 'ok', {});
  }

  async function handle(session: Session, frame: Frame): Promise<void> {
    if (!sessions.has(session)) return;
    if (frame.topic === 'phoenix') {
      if (frame.event === PHOENIX_EVENTS.heartbeat) reply(session, frame, 'ok', {});
      return;
    }
    if (frame.event === PHOENIX_EVENTS.join) return join(session, frame);
    const channel = session.channels.get(frame.topic);
    if (!channel) return reply(session, frame, 'error', { reason: 'You are not subscribed to this channel: join it first.' });
    switch (frame.event) {
      case PHOENIX_EVENTS.leave:
        removeChannel(channel);
        reply(session, frame, 'ok', {});
        send(session, { joinRef: channel.joinRef, ref: frame.ref, topic: frame.topic, event: PHOENIX_EVENTS.close, payload: {} });
        return;
      case PHOENIX_EVENTS.accessToken:
        return refreshToken(session, frame, channel);
      default:
        return reply(session, frame, 'error', { reason: `Unsupported event "${frame.event}": this server serves postgres_changes only.` });
    }
  }

  return {
    connect(socket, version, connectToken) {
      const session: Session = { socket, version, connectToken, channels: new Map() };
      sessions.add(session);
      // Frames of one session are handled in order, even those that wait on a token check.
      let queue: Promise<void> = Promise.resolve();
      return {
        receive(raw) {
          const frame = decodeFrame(raw, version);
          if (!frame) {
            logger.debug({ raw: raw.slice(0, 200) }, 'realtime: unreadable frame');
            return;
          }
          queue = queue.then(() => handle(session, frame)).catch((error: unknown) => logger.error({ err: error }, 'realtime: frame failed'));
        },
        closed() {
          for (const channel of [...session.channels.values()]) removeChannel(channel);
          sessions.delete(session);
        },
      };
    },

    deliver(change) {
      const row = change.type === 'DELETE' ? change.oldRecord : change.record;
      const owner = ownerOf(row);
      const owned = owner === undefined ? undefined : channelsByOwner.get(owner);
      const candidates = [...(owned ?? []), ...serviceChannels];
      if (candidates.length === 0) return;
      const data = {
        schema: change.schema,
        table: change.table,
        commit_timestamp: change.commitTimestamp,
        type: change.type,
        columns: columnListOf.get(change.table) ?? [],
        ...(change.record ? { record: change.record } : {}),
        ...(change.oldRecord ? { old_record: change.oldRecord } : {}),
        errors: null,
      };
      for (const channel of candidates) {
        if (!canViewRow(channel.viewer, row)) continue;
        const ids = channel.bindings
          .filter((b) => b.table === change.table && (b.event === '*' || b.event === change.type) && matchesFilter(b.filter, row ?? {}))
          .map((b) => b.id);
        if (ids.length === 0) continue;
        send(channel.session, { joinRef: channel.joinRef, ref: null, topic: channel.topic, event: PHOENIX_EVENTS.postgresChanges, payload: { ids, data } });
        metrics?.countDelivered(change.table);
      }
    },

    closeAll(reason, code = SERVER_CLOSE_CODE) {
      for (const session of [...sessions]) session.socket.close(code, reason);
    },

    sessionCount: () => sessions.size,
  };
}
