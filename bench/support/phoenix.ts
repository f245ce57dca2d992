/**
 * Realtime subscribers as plain WebSockets speaking the Phoenix protocol (serializer 2.0.0), as
 * supabase-js does, without its per-client timers: a bench process holds a thousand of them.
 */
import WebSocket from 'ws';
import type { TokenService } from '../../src/api/jwt.js';
import { now } from './measure.js';
import type { BenchUser } from './stack.js';

/** A `postgres_changes` event as the server sends it. */
export interface ChangeData {
  readonly table: string;
  readonly type: string;
  /** When the change committed (logical capture: the commit record's time). */
  readonly commit_timestamp: string;
  readonly record?: Record<string, unknown>;
  readonly old_record?: Record<string, unknown>;
}

export interface PhoenixSocket {
  readonly ws: WebSocket;
  /** Joins `topic` with `payload` (its config and access_token); rejects when refused. */
  join(topic: string, payload: Record<string, unknown>): Promise<void>;
  /** Resolves with the close code and reason once the socket closed, for whatever reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** From now on frames are read but not parsed: a client that keeps up without spending the bench's CPU on them. */
  drainOnly(): void;
}

type Frame = [string | null, string | null, string, string, Record<string, unknown>];

/** Opens a socket to the server's realtime endpoint; `onChange` gets each change and the moment it arrived. */
export async function openPhoenixSocket(serverUrl: string, apiKey: string, onChange: (data: ChangeData, arrivedAt: number) => void = () => {}): Promise<PhoenixSocket> {
  const ws = new WebSocket(`${serverUrl.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${apiKey}&vsn=2.0.0`);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const replies = new Map<string, (payload: Record<string, unknown>) => void>();
  let isDraining = false;
  ws.on('message', (raw) => {
    if (isDraining) return;
    const arrivedAt = now();
    const [, ref, , event, payload] = JSON.parse(raw.toString()) as Frame;
    if (event === 'postgres_changes') return onChange(payload['data'] as ChangeData, arrivedAt);
    if (event === 'phx_reply' && ref !== null) replies.get(ref)?.(payload);
  });
  let nextRef = 0;
  return {
    ws,
    closed,
    drainOnly: () => (isDraining = true),
    join(topic, payload) {
      const ref = String(++nextRef);
      return new Promise<void>((resolve, reject) => {
        replies.set(ref, (reply) => {
          replies.delete(ref);
          if (reply['status'] === 'ok') resolve();
          else reject(new Error(`join ${topic} refused: ${JSON.stringify(reply)}`));
        });
        ws.send(JSON.stringify([ref, ref, `realtime:${topic}`, 'phx_join', payload]));
      });
    },
  };
}

/** The email of bench user `index`. */
export const benchEmail = (index: number): string => `bench-${index}@example.com`;

/**
 * Each user on a socket of their own, subscribed to their own `active_calls` rows (as the app's
 * call screen does). Connects `concurrency` at a time. Every change goes to `onChange` with the
 * index of the user whose socket received it.
 */
export async function connectUserSubscribers({
  serverUrl,
  tokens,
  users,
  onChange,
  concurrency = 50,
}: {
  serverUrl: string;
  tokens: TokenService;
  users: readonly BenchUser[];
  onChange: (user: number, data: ChangeData, arrivedAt: number) => void;
  concurrency?: number;
}): Promise<PhoenixSocket[]> {
  const sockets: PhoenixSocket[] = new Array<PhoenixSocket>(users.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < users.length) {
        const index = next++;
        const user = users[index];
        if (!user) break;
        const { token } = await tokens.signAccessToken({ id: user.id, email: user.email, sessionId: crypto.randomUUID() });
        const socket = await openPhoenixSocket(serverUrl, tokens.anonKey, (data, arrivedAt) => onChange(index, data, arrivedAt));
        const config = { postgres_changes: [{ event: '*', schema: 'public', table: 'active_calls', filter: `user_email=eq.${user.email}` }] };
        await socket.join(`bench-${index}`, { config, access_token: token });
        sockets[index] = socket;
      }
    }),
  );
  return sockets;
}

/** Sends each open socket a Phoenix heartbeat every 20 s (the server drops sockets silent for 75 s). */
export function keepAlive(sockets: () => readonly PhoenixSocket[]): () => void {
  const timer = setInterval(() => {
    for (const { ws } of sockets()) if (ws.readyState === ws.OPEN) ws.send(JSON.stringify([null, 'hb', 'phoenix', 'heartbeat', {}]));
  }, 20_000);
  return () => clearInterval(timer);
}

/** Closes the sockets and waits (at most `timeoutMs`) for them to be closed. */
export async function closeSockets(sockets: readonly PhoenixSocket[], timeoutMs = 5_000): Promise<void> {
  for (const { ws } of sockets) ws.close();
  await Promise.race([Promise.all(sockets.map((s) => s.closed)), new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
  for (const { ws } of sockets) ws.terminate();
}
