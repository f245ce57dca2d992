/**
 * A plain keep-alive HTTP client for load: node:http over a fixed number of connections, far
 * lighter on the bench's share of the CPU than fetch, so more of the machine is left to the server.
 */
import { Agent, request } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

export interface HttpClient {
  /** POSTs `body`; resolves with the status and the whole body (never rejects on a status). */
  post(path: string, body: string, headers: Record<string, string>): Promise<HttpAnswer>;
  close(): void;
}

/** Requests beyond `connections` wait in the agent's queue, as they would in a proxy's. */
export function createHttpClient(baseUrl: string, connections: number): HttpClient {
  const base = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  return {
    post(path, body, headers) {
      return new Promise((resolve, reject) => {
        const req = request(
          {
            method: 'POST',
            host: base.hostname,
            port: base.port,
            path,
            agent,
            headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
