import { request } from 'node:http';

export interface StreamedAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** Bytes of the body the client managed to write before the answer or a closed connection. */
  readonly bytesSent: number;
}

/**
 * POSTs `totalBytes` of `fill` to a listening server as a stream (chunked unless `headers` sets
 * Content-Length), writing only as fast as the server reads, and stops writing as soon as an
 * answer arrives or the connection is closed. Answers the status, body and bytes written.
 */
export function streamBody(url: string, path: string, options: { headers: Record<string, string>; totalBytes: number; fill?: string }): Promise<StreamedAnswer> {
  const target = new URL(path, url);
  const chunk = Buffer.alloc(64 * 1024, options.fill ?? ' ');
  return new Promise((resolve, reject) => {
    let bytesSent = 0;
    let isAnswered = false;
    const req = request({ method: 'POST', host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, headers: options.headers, agent: false });
    req.on('response', (res) => {
      isAnswered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => (body += text));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, bytesSent });
      });
      res.on('error', reject);
    });
    // Writing into a connection the server closed fails; the answer it sent first still counts.
    req.on('error', (error) => {
      if (!isAnswered) reject(error);
    });
    const write = () => {
      while (!isAnswered && !req.destroyed && bytesSent < options.totalBytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, options.totalBytes - bytesSent));
        bytesSent += piece.length;
        if (!req.write(piece)) {
          req.once('drain', write);
          return;
        }
      }
      if (!isAnswered && !req.destroyed) req.end();
    };
    write();
  });
}
