import type { Logger } from 'pino';
import { z } from 'zod';
import type { TokenService } from '../api/jwt.js';
import type { Clock } from '../telephony/provider.js';
import type { Row } from '../db/database.js';
import { canViewRow, ownerOf, watchedWorkspace, workspaceOf, type Viewer } from './authorize.js';
import { isRealtimeTable, type RealtimeCatalog, type RealtimeTable } from './catalog.js';
import type { ChangeType, TableChange } from './change-feed.js';
import { matchesFilter, parseRowFilter, type RowFilter } from './filter.js';
import { createMembershipCache, type Membership, type MembershipCache, type MembershipChange } from './membership.js';
import type { PresenceListener } from './presence.js';
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
export const MEMBER_DEACTIVATED_REASON = 'Your membership of this workspace is deactivated: you receive no more changes. Ask an admin of your workspace.';
export const MEMBER_REMOVED_REASON = 'You are no longer a member of this workspace: you receive no more changes.';

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
  /** The workspace this channel is indexed under as an admin's or a manager's (see watchedWorkspace). */
  watched: string | undefined;
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
  /**
   * Replaces the membership cache with what `load` reads (at start, and after the change feed
   * restarts). Membership changes delivered while it reads are applied again on top, so a
   * snapshot read before them cannot undo them.
   */
  reloadMembers(load: () => Promise<readonly Row[]>): Promise<void>;
  /** The membership the room decides visibility with. */
  memberOf(email: string): Membership | undefined;
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
  members = createMembershipCache(),
  onPresence,
}: {
  tokens: TokenService;
  catalog: RealtimeCatalog;
  clock: Clock;
  logger: Logger;
  maxSendBufferBytes?: number;
  metrics?: RoomMetrics | undefined;
  /** Who is a member of which workspace, with which role; kept current from workspace_members changes. */
  members?: MembershipCache;
  /** Told when a member's first authenticated channel joins and when their last one goes. */
  onPresence?: PresenceListener | undefined;
}): RealtimeRoom {
  const sessions = new Set<Session>();
  const memberOf = (email: string) => members.get(email);
  // Channels indexed by who may see a change, so it reaches only candidate channels: the
  // row owner's channels, and those of the admins and managers of the row's workspace.
  const channelsByOwner = new Map<string, Set<Channel>>();
  const channelsByWorkspace = new Map<string, Set<Channel>>();
  const serviceChannels = new Set<Channel>();
  // Membership changes delivered while the cache reloads, applied again once it has.
  let changesDuringReload: TableChange[] | undefined;
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

  function addTo<K>(map: Map<K, Set<Channel>>, key: K, channel: Channel): void {
    const set = map.get(key) ?? new Set<Channel>();
    set.add(channel);
    map.set(key, set);
  }

  /** Removes a channel from a set of the map; true when that emptied the set. */
  function removeFrom<K>(map: Map<K, Set<Channel>>, key: K, channel: Channel): boolean {
    const set = map.get(key);
    if (!set?.delete(channel) || set.size > 0) return false;
    map.delete(key);
    return true;
  }

  function watch(channel: Channel): void {
    channel.watched = channel.viewer.role === 'authenticated' ? watchedWorkspace(memberOf(channel.viewer.email)) : undefined;
    if (channel.watched !== undefined) addTo(channelsByWorkspace, channel.watched, channel);
  }

  function unwatch(channel: Channel): void {
    if (channel.watched !== undefined) removeFrom(channelsByWorkspace, channel.watched, channel);
    channel.watched = undefined;
  }

  function index(channel: Channel): void {
    if (channel.viewer.role === 'service_role') serviceChannels.add(channel);
    if (channel.viewer.role !== 'authenticated') return;
    const { email } = channel.viewer;
    const isFirst = !channelsByOwner.has(email);
    addTo(channelsByOwner, email, channel);
    watch(channel);
    if (isFirst) onPresence?.(email, true);
  }

  function unindex(channel: Channel): void {
    serviceChannels.delete(channel);
    if (channel.viewer.role !== 'authenticated') return;
    unwatch(channel);
    if (removeFrom(channelsByOwner, channel.viewer.email, channel)) onPresence?.(channel.viewer.email, false);
  }

  /** Why a viewer may not hold a channel, if they may not: a deactivated member sees nothing and is told so. */
  function refusalOf(viewer: Viewer): string | undefined {
    if (viewer.role !== 'authenticated') return undefined;
    const member = memberOf(viewer.email);
    return member && !member.isActive ? MEMBER_DEACTIVATED_REASON : undefined;
  }

  /**
   * A member's role, activity or workspace changed (or they were removed): their channels are
   * indexed again, so a promoted rep starts receiving their workspace's rows and a demoted
   * manager stops; a member deactivated or removed has their channels closed with the reason,
   * as a token that expired.
   */
  function applyMembershipChange({ email, before, after }: MembershipChange): void {
    const owned = channelsByOwner.get(email);
    if (!owned) return;
    if (after && !after.isActive) {
      for (const channel of [...owned]) closeChannel(channel, MEMBER_DEACTIVATED_REASON);
    } else if (!after && before) {
      for (const channel of [...owned]) closeChannel(channel, MEMBER_REMOVED_REASON);
    } else {
      for (const channel of owned) {
        unwatch(channel);
        watch(channel);
      }
    }
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
    const refusal = refusalOf(identity.viewer);
    if (refusal) return reply(session, frame, 'error', { reason: refusal });
    const parsed = parseBindings(payload.data.config);
    if (!parsed.ok) return reply(session, frame, 'error', { reason: parsed.reason });

    const channel: Channel = { session, topic: frame.topic, joinRef: frame.joinRef ?? frame.ref, bindings: parsed.bindings, viewer: identity.viewer, watched: undefined, cancelExpiry: () => {} };
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
    const refusal = refusalOf(identity.viewer);
    if (refusal) return closeChannel(channel, refusal);
    const { viewer } = channel;
    if (viewer.role === 'authenticated' && identity.viewer.role === 'authenticated' && viewer.email === identity.viewer.email) {
      // The same member with a fresh token: indexed as before, with no flicker of presence.
      channel.viewer = identity.viewer;
    } else {
      unindex(channel);
      channel.viewer = identity.viewer;
      index(channel);
    }
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
      // A membership change applies before anything committed after it is delivered, and before
      // its own row is: the feed hands changes over in commit order.
      if (change.table === 'workspace_members') {
        changesDuringReload?.push(change);
        for (const membershipChange of members.apply(change.type, change.record, change.oldRecord)) applyMembershipChange(membershipChange);
      }
      const row = change.type === 'DELETE' ? change.oldRecord : change.record;
      const owner = ownerOf(row);
      const workspace = workspaceOf(row);
      const candidates = new Set<Channel>(serviceChannels);
      for (const channel of (owner === undefined ? undefined : channelsByOwner.get(owner)) ?? []) candidates.add(channel);
      for (const channel of (workspace === undefined ? undefined : channelsByWorkspace.get(workspace)) ?? []) candidates.add(channel);
      if (candidates.size === 0) return;
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
        if (!canViewRow(channel.viewer, row, memberOf)) continue;
        const ids = channel.bindings
          .filter((b) => b.table === change.table && (b.event === '*' || b.event === change.type) && matchesFilter(b.filter, row ?? {}))
          .map((b) => b.id);
        if (ids.length === 0) continue;
        send(channel.session, { joinRef: channel.joinRef, ref: null, topic: channel.topic, event: PHOENIX_EVENTS.postgresChanges, payload: { ids, data } });
        metrics?.countDelivered(change.table);
      }
    },

    async reloadMembers(load) {
      const delivered: TableChange[] = [];
      changesDuringReload = delivered;
      try {
        const rows = await load();
        const changed = members.replaceAll(rows);
        for (const change of delivered) changed.push(...members.apply(change.type, change.record, change.oldRecord));
        // Channels follow where each member ends up, not the steps on the way.
        const net = new Map<string, MembershipChange>();
        for (const { email, before } of changed) if (!net.has(email)) net.set(email, { email, before, after: members.get(email) });
        for (const membershipChange of net.values()) applyMembershipChange(membershipChange);
      } finally {
        if (changesDuringReload === delivered) changesDuringReload = undefined;
      }
    },

    memberOf,

    closeAll(reason, code = SERVER_CLOSE_CODE) {
      for (const session of [...sessions]) session.socket.close(code, reason);
    },

    sessionCount: () => sessions.size,
  };
}
