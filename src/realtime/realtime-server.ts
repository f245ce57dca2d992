import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Http2SecureServer, Http2Server } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TokenService } from '../api/jwt.js';
import type { Database } from '../db/database.js';
import type { Clock } from '../telephony/provider.js';
import { loadRealtimeCatalog } from './catalog.js';
import { chooseChangeCapture, describeChangeCapture, PROBE_TABLE, startChangeFeed, type ChangeCapture, type TableChange } from './change-feed.js';
import { loadMemberships } from './membership.js';
import { createPresence, PRESENCE_HEARTBEAT_MS, type Presence } from './presence.js';
import { isSerializerVersion } from './protocol.js';
import { createRealtimeRoom, SERVICE_RESTART_CLOSE_CODE, type RealtimeRoom, type RoomMetrics, type SocketPort } from './room.js';

export const REALTIME_PATH = '/realtime/v1/websocket';
const MAX_FRAME_BYTES = 256 * 1024;
/** realtime-js sends a heartbeat every 25 s; a socket silent for longer than this is dead. */
export const IDLE_SOCKET_MS = 75_000;
/**
 * How often the server checks that its change feed still hears the database. postgres.js
 * re-listens when its connection drops, but if the database refuses it at that moment the
 * listener is gone for good; the check finds that and restarts the feed. A lost replication
 * connection (logical capture) is restarted at once, without waiting for the check.
 */
export const CAPTURE_CHECK_INTERVAL_MS = 15_000;
/** The first wait before trying again to restart a feed that could not restart; it doubles up to the check interval. */
export const CAPTURE_RETRY_MS = 500;
/** How long the check waits for its own probe to come back. */
export const CAPTURE_CHECK_TIMEOUT_MS = 5_000;
/** How long shutdown waits for clients to answer the close before cutting their sockets. */
export const SOCKET_CLOSE_WAIT_MS = 2_000;
export const SERVICE_RESTART_REASON = 'Service restart: this server is going away. Reconnect and refetch.';
export const FEED_RESTART_REASON = 'Change feed restarted: changes may have been missed. Reconnect and refetch.';

/** `listening`: the feed hears the database; `down`: it stopped hearing it and is being restarted. */
export type CaptureStatus = 'listening' | 'down' | 'stopped';

/** The room's metrics, and every change the feed reads (a new history row is a call that ended). */
export interface RealtimeMetrics extends RoomMetrics {
  observeChange(change: TableChange): void;
}

export interface RealtimeServer {
  readonly room: RealtimeRoom;
  /** How changes reach this server: logical decoding or triggers and NOTIFY. */
  readonly capture: ChangeCapture;
  captureStatus(): CaptureStatus;
  /**
   * True when a probe row written now comes back through the feed within `timeoutMs`: the
   * path every change takes (the WAL and the publication, or the trigger and NOTIFY).
   * A miss also asks for a full check, which restarts the feed if it misses again.
   */
  checkCapture(timeoutMs: number): Promise<boolean>;
  /** This process's presence: which members hold a channel here (realtime_presence), and its heartbeat. */
  readonly presence: Presence;
  /** Stops taking sockets, closes each open one with 1012 and a reason, and stops the change feed. */
  stop(): Promise<void>;
}

function refuseUpgrade(socket: Duplex, status: 400 | 401, message: string): void {
  const body = JSON.stringify({ message });
  socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function toSocketPort(ws: WebSocket): SocketPort {
  return {
    isOpen: () => ws.readyState === ws.OPEN,
    send: (data) => ws.send(data),
    // ws counts what waits in its own queue and in the TCP socket's write buffer.
    bufferedBytes: () => ws.bufferedAmount,
    close: (code, reason) => ws.close(code, reason),
  };
}

/**
 * Serves `/realtime/v1/websocket` on the HTTP server: the upgrade is checked here (apikey,
 * serializer version) and each socket is handed to the room, which the database's change
 * feed drives.
 */
export async function startRealtimeServer({
  server,
  db,
  tokens,
  clock,
  logger,
  idleSocketMs = IDLE_SOCKET_MS,
  presenceHeartbeatMs = PRESENCE_HEARTBEAT_MS,
  metrics,
  ...options
}: {
  server: Server | Http2Server | Http2SecureServer;
  db: Database;
  tokens: TokenService;
  clock: Clock;
  logger: Logger;
  idleSocketMs?: number;
  presenceHeartbeatMs?: number;
  metrics?: RealtimeMetrics | undefined;
  /** Chosen by the database when not given (see chooseChangeCapture). */
  capture?: ChangeCapture | undefined;
}): Promise<RealtimeServer> {
  const catalog = await loadRealtimeCatalog(db);
  const capture = options.capture ?? (await chooseChangeCapture(db));
  // One id for this process: its probe rows and its presence rows.
  const processId = randomUUID();
  const presence = createPresence({ db, logger, instanceId: processId, heartbeatMs: presenceHeartbeatMs });
  const room = createRealtimeRoom({ tokens, catalog, clock, logger, metrics, onPresence: presence.setOnline });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  // Change capture: the feed, and probe rows, written by this process, that prove it still hears.
  let probeCount = 0;
  const awaitedProbes = new Map<string, () => void>();
  let status: CaptureStatus = 'listening';
  const captureStatus = (): CaptureStatus => status;
  const listen = () =>
    startChangeFeed({
      db,
      capture,
      catalog,
      logger,
      handlers: {
        onChange: (change) => {
          metrics?.observeChange(change);
          room.deliver(change);
        },
        onProbe: (probe) => awaitedProbes.get(probe)?.(),
        onLost: (error) => {
          if (status !== 'listening') return;
          status = 'down';
          logger.warn({ err: error }, 'realtime: lost the replication connection; reconnecting');
          // A check already under way may have probed before the loss: repair after it.
          void Promise.resolve(checking).then(() => checkAndRepair());
        },
      },
    });
  let unlisten = await listen();
  // Read after the feed listens: a membership change committed in between comes through the feed.
  await room.reloadMembers(() => loadMemberships(db));
  logger.info({ capture }, `realtime: changes captured by ${describeChangeCapture(capture)}`);
  await presence.start();

  /** `heard` false only when the probe went out and did not come back: the database answered, the feed did not. */
  async function probe(timeoutMs: number): Promise<{ sent: boolean; heard: boolean }> {
    const count = ++probeCount;
    const key = `${processId}:${count}`;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const heard = new Promise<boolean>((resolve) => {
      awaitedProbes.set(key, () => resolve(true));
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      await db.query(
        `insert into ${PROBE_TABLE.schema}.${PROBE_TABLE.table} (process, probe) values ($1, $2)
         on conflict (process) do update set probe = excluded.probe`,
        [processId, count],
      );
      return { sent: true, heard: await heard };
    } catch {
      return { sent: false, heard: false };
    } finally {
      clearTimeout(timer);
      awaitedProbes.delete(key);
    }
  }

  let checking: Promise<void> | undefined;
  let retryDelayMs = CAPTURE_RETRY_MS;
  let retry: ReturnType<typeof setTimeout> | undefined;
  /** One check at a time: a feed that does not hear is restarted, and its clients told to refetch. */
  function checkAndRepair(): Promise<void> {
    checking ??= (async () => {
      if (status === 'stopped') return;
      if (status === 'listening') {
        const { sent, heard } = await probe(CAPTURE_CHECK_TIMEOUT_MS);
        // Unsent: the database is away, and a restart would fail too; the next check tries again.
        if (!sent || heard || captureStatus() !== 'listening') return;
        status = 'down';
        logger.warn('realtime: the change feed stopped hearing the database; restarting it');
      }
      await unlisten();
      try {
        const restarted = await listen();
        // stop() may have run while the feed restarted.
        if (captureStatus() === 'stopped') return void (await restarted());
        // Membership changes committed while the feed was deaf were missed too: read them all again.
        await room.reloadMembers(() => loadMemberships(db)).catch(async (error: unknown) => {
          await restarted();
          throw error;
        });
        unlisten = restarted;
        status = 'listening';
        retryDelayMs = CAPTURE_RETRY_MS;
        // Changes committed while the feed was deaf were never delivered: clients reconnect and refetch.
        room.closeAll(FEED_RESTART_REASON, SERVICE_RESTART_CLOSE_CODE);
        logger.info({ capture }, 'realtime: change feed restarted');
      } catch (error) {
        logger.error({ err: error }, 'realtime: could not restart the change feed; will try again');
        // Sooner than the next check, backing off while the database stays away.
        clearTimeout(retry);
        retry = setTimeout(() => void checkAndRepair(), retryDelayMs);
        retry.unref();
        retryDelayMs = Math.min(retryDelayMs * 2, CAPTURE_CHECK_INTERVAL_MS);
      }
    })().finally(() => {
      checking = undefined;
    });
    return checking;
  }
  const captureCheck = setInterval(() => void checkAndRepair(), CAPTURE_CHECK_INTERVAL_MS);
  captureCheck.unref();

  const lastHeard = new Map<WebSocket, number>();
  const idleCheck = setInterval(() => {
    const cutoff = clock.now() - idleSocketMs;
    for (const [ws, heardAt] of lastHeard) if (heardAt < cutoff) ws.terminate();
  }, idleSocketMs / 5);
  idleCheck.unref();

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== REALTIME_PATH) return refuseUpgrade(socket, 400, `WebSocket connections are served at ${REALTIME_PATH} only.`);
    // Phoenix clients that name no version speak 1.0.0.
    const version = url.searchParams.get('vsn') ?? '1.0.0';
    if (!isSerializerVersion(version)) return refuseUpgrade(socket, 400, `Unsupported serializer version ${version}: use 1.0.0 or 2.0.0.`);
    const apiKey = url.searchParams.get('apikey') ?? '';
    void tokens.verify(apiKey).then((claims) => {
      if (!claims.ok) return refuseUpgrade(socket, 401, `Invalid apikey: ${claims.error.message}`);
      wss.handleUpgrade(request, socket, head, (ws) => {
        const session = room.connect(toSocketPort(ws), version, apiKey);
        lastHeard.set(ws, clock.now());
        ws.on('message', (data, isBinary) => {
          lastHeard.set(ws, clock.now());
          if (!isBinary) session.receive(data.toString());
        });
        ws.on('close', () => {
          lastHeard.delete(ws);
          session.closed();
        });
        ws.on('error', (error) => logger.debug({ err: error }, 'realtime socket error'));
      });
    });
  };
  server.on('upgrade', onUpgrade);

  return {
    room,
    capture,
    presence,
    captureStatus,
    async checkCapture(timeoutMs) {
      if (status !== 'listening') return false;
      const { heard } = await probe(timeoutMs);
      if (!heard) void checkAndRepair();
      return heard;
    },
    async stop() {
      server.off('upgrade', onUpgrade);
      clearInterval(idleCheck);
      clearInterval(captureCheck);
      clearTimeout(retry);
      status = 'stopped';
      room.closeAll(SERVICE_RESTART_REASON, SERVICE_RESTART_CLOSE_CODE);
      await waitForSocketsToClose(wss, SOCKET_CLOSE_WAIT_MS);
      wss.close();
      await checking;
      await unlisten();
      await presence.stop();
      await db.query(`delete from ${PROBE_TABLE.schema}.${PROBE_TABLE.table} where process = $1`, [processId]).catch(() => {});
    },
  };
}

/** Waits for clients to answer the close handshake; any still open after `timeoutMs` is cut. */
async function waitForSocketsToClose(wss: WebSocketServer, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const ws of wss.clients) ws.terminate();
}
