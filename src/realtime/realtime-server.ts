import type { IncomingMessage, Server } from 'node:http';
import type { Http2SecureServer, Http2Server } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TokenService } from '../api/jwt.js';
import type { Database } from '../db/database.js';
import type { Clock } from '../telephony/provider.js';
import { loadRealtimeCatalog } from './catalog.js';
import { startChangeFeed } from './change-feed.js';
import { isSerializerVersion } from './protocol.js';
import { createRealtimeRoom, type RealtimeRoom, type SocketPort } from './room.js';

export const REALTIME_PATH = '/realtime/v1/websocket';
const MAX_FRAME_BYTES = 256 * 1024;
/** realtime-js sends a heartbeat every 25 s; a socket silent for longer than this is dead. */
export const IDLE_SOCKET_MS = 75_000;

export interface RealtimeServer {
  readonly room: RealtimeRoom;
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
}: {
  server: Server | Http2Server | Http2SecureServer;
  db: Database;
  tokens: TokenService;
  clock: Clock;
  logger: Logger;
  idleSocketMs?: number;
}): Promise<RealtimeServer> {
  const catalog = await loadRealtimeCatalog(db);
  const room = createRealtimeRoom({ tokens, catalog, clock, logger });
  const stopFeed = await startChangeFeed(db, logger, (change) => room.deliver(change));
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
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
    async stop() {
      server.off('upgrade', onUpgrade);
      clearInterval(idleCheck);
      room.closeAll('server shutting down');
      wss.close();
      await stopFeed();
    },
  };
}
