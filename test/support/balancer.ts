import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** A request the balancer holds half-sent: the backend has its headers, not yet its body. */
export interface HeldRequest {
  /** Resolves once a backend has received the request's headers (the request is in flight there). */
  readonly sent: Promise<void>;
  /** Sends the body, so the backend can finish the request. */
  release(): void;
  /** Which backend answered it, and how. */
  readonly answered: Promise<ProxiedRequest>;
}

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  /** The backend that answered; undefined when none did (502). */
  readonly port: number | undefined;
  readonly status: number;
}

export interface Balancer {
  readonly url: string;
  /** Backends by port, tried in order: the first that takes the connection gets the request. */
  setBackends(ports: readonly number[]): void;
  /** Holds the next request for which `matches` is true (see HeldRequest). */
  holdNext(matches: (request: { method: string; path: string; body: string }) => boolean): HeldRequest;
  /** Every request proxied so far, in the order they were answered. */
  readonly requests: readonly ProxiedRequest[];
  close(): Promise<void>;
}

/** A free loopback port (taken, then given back), for a server process that must listen on a known one. */
export async function findFreePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forwardHeaders(headers: IncomingHttpHeaders, bodyLength: number): IncomingHttpHeaders {
  const { connection: _connection, 'keep-alive': _keepAlive, 'transfer-encoding': _encoding, ...rest } = headers;
  return { ...rest, 'content-length': String(bodyLength), connection: 'close' };
}

/**
 * A loopback load balancer, as an operator puts in front of several instances: each request on a
 * new connection to the first backend that accepts one, and to the next when a connection is
 * refused or dropped before any answer (as nginx's `proxy_next_upstream error` does); WebSocket
 * upgrades passed through. The Host header is kept, so signed webhook URLs still match PUBLIC_URL.
 */
export async function startBalancer(): Promise<Balancer> {
  let backends: readonly number[] = [];
  const holds: Array<{ matches: Parameters<Balancer['holdNext']>[0]; markSent: () => void; released: Promise<void>; answer: (request: ProxiedRequest) => void }> = [];
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket | Duplex>();

  function tryBackend(port: number, req: IncomingMessage, body: Buffer, held: (typeof holds)[number] | undefined): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const out = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: forwardHeaders(req.headers, body.length), agent: false }, resolve);
      out.on('error', reject);
      if (!held) return void out.end(body);
      out.flushHeaders();
      // Loopback: well within this the backend has read the headers and counts the request as in flight.
      out.once('socket', (socket) => socket.once('connect', () => setTimeout(() => held.markSent(), 250)));
      void held.released.then(() => out.end(body));
    });
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const index = holds.findIndex((hold) => hold.matches({ method: req.method ?? 'GET', path: req.url ?? '/', body: body.toString() }));
      const held = index === -1 ? undefined : holds.splice(index, 1)[0];
      const record = (port: number | undefined, status: number) => {
        const proxied = { method: req.method ?? 'GET', path: req.url ?? '/', port, status };
        requests.push(proxied);
        held?.answer(proxied);
      };
      for (const port of backends) {
        try {
          const answer = await tryBackend(port, req, body, held);
          record(port, answer.statusCode ?? 502);
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        } catch {
          // Refused or cut before answering: the next backend gets it.
        }
      }
      record(undefined, 502);
      res.writeHead(502).end('no backend answered');
    })();
  });

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  server.on('upgrade', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    const raw = `${req.method} ${req.url} HTTP/1.1\r\n${Object.entries(req.headers)
      .flatMap(([name, value]) => (Array.isArray(value) ? value.map((v) => `${name}: ${v}`) : [`${name}: ${value ?? ''}`]))
      .join('\r\n')}\r\n\r\n`;
    const attempt = (remaining: readonly number[]): void => {
      const [port, ...rest] = remaining;
      if (port === undefined) return void client.destroy();
      const upstream = connect(port, '127.0.0.1');
      sockets.add(upstream);
      upstream.once('close', () => sockets.delete(upstream));
      let isConnected = false;
      upstream.once('error', () => (isConnected ? client.destroy() : attempt(rest)));
      upstream.once('connect', () => {
        isConnected = true;
        upstream.write(raw);
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
        upstream.once('close', () => client.end());
        client.once('close', () => upstream.end());
      });
    };
    client.on('error', () => {});
    attempt(backends);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setBackends(ports) {
      backends = [...ports];
    },
    holdNext(matches) {
      let markSent = () => {};
      let release = () => {};
      let answer: (request: ProxiedRequest) => void = () => {};
      const sent = new Promise<void>((resolve) => (markSent = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      const answered = new Promise<ProxiedRequest>((resolve) => (answer = resolve));
      holds.push({ matches, markSent, released, answer });
      return { sent, release, answered };
    },
    requests,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
