import type { MiddlewareHandler } from 'hono';
import { TWILIO_WEBHOOK_PREFIX } from '../webhooks/twilio-webhook-urls.js';
import { errorResponse } from './http.js';

const KIB = 1024;
const MIB = 1024 * KIB;

/** The largest request body each part of the API takes, in bytes: every limit in one place. */
export const BODY_LIMIT_BYTES = {
  /** Sign-up, sign-in and refresh: an email, a password and at most 4 KiB of user metadata. */
  auth: 16 * KIB,
  /** A function's parameters: a number, a line, a lead id, a small simulator config. */
  functions: 64 * KIB,
  /** Twilio's callbacks are a few dozen form fields. */
  webhooks: 64 * KIB,
  /** A lead import is one insert of every row of a CSV file: about 40,000 leads fit. */
  rest: 8 * MIB,
  /** A lead import's CSV file (POST /imports/leads): 50,000 rows of a wide CRM export fit. */
  imports: 25 * MIB,
  /** Everything else (the config, the health check, the web app's files) takes no body. */
  other: 16 * KIB,
} as const;

type LimitedArea = keyof typeof BODY_LIMIT_BYTES;

const AREA_PREFIXES: ReadonlyArray<readonly [prefix: string, area: LimitedArea]> = [
  ['/auth/v1/', 'auth'],
  ['/functions/v1/', 'functions'],
  ['/rest/v1/', 'rest'],
  ['/imports/', 'imports'],
  [`${TWILIO_WEBHOOK_PREFIX}/`, 'webhooks'],
];

function areaOf(path: string): LimitedArea {
  return AREA_PREFIXES.find(([prefix]) => path.startsWith(prefix))?.[1] ?? 'other';
}

function refuse(area: LimitedArea): Response {
  const maxBytes = BODY_LIMIT_BYTES[area];
  const message = `The request body is larger than the ${maxBytes >= MIB ? `${maxBytes / MIB} MiB` : `${maxBytes / KIB} KiB`} this endpoint takes.`;
  // The rest of the body is not read: closing the connection is the only way not to read it.
  const headers = { Connection: 'close' };
  if (area !== 'rest') return errorResponse('payload_too_large', message, headers);
  // PostgREST's error shape, so supabase-js hands it to the app as `error` like any other.
  return Response.json({ code: 'payload_too_large', message, details: null, hint: null }, { status: 413, headers });
}

/**
 * Refuses a request body over its route's limit with 413 `payload_too_large`, before anything
 * else reads it (the API key check and every handler come later). A declared Content-Length is
 * checked first: Node's HTTP parser never hands over more bytes than it declares. A chunked
 * body is counted as it arrives and reading stops at the first byte past the limit; one that
 * fits is kept (at most the limit) and handed on as the request's body.
 */
export function limitRequestBodies(): MiddlewareHandler {
  return async (c, next) => {
    const area = areaOf(c.req.path);
    const maxBytes = BODY_LIMIT_BYTES[area];
    const request = c.req.raw;
    const declared = request.headers.get('content-length');
    const isChunked = request.headers.has('transfer-encoding');
    if (declared !== null && !isChunked) {
      const length = Number(declared);
      return Number.isSafeInteger(length) && length >= 0 && length <= maxBytes ? next() : refuse(area);
    }
    if (request.method === 'GET' || request.method === 'HEAD' || request.body === null) return next();

    const reader = request.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      // Stop here: the rest stays unread and the connection is closed with the answer.
      if (size > maxBytes) return refuse(area);
      chunks.push(value);
    }
    const body = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    c.req.raw = new Request(request, { body });
    return next();
  };
}
