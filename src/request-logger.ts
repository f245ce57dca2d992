import type { Context } from 'hono';
import type { RequestIdVariables } from 'hono/request-id';
import type { Logger } from 'pino';

// hono's requestId middleware (src/app.ts) sets `requestId` on every request's context.
declare module 'hono' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface ContextVariableMap extends RequestIdVariables {}
}

/**
 * The logger for one request: each line it writes carries the request's id (`reqId`), the one
 * sent back in `X-Request-Id`. Routes served without the middleware (some tests) log as before.
 */
export function loggerFor(logger: Logger, c: Context): Logger {
  const reqId: string | undefined = c.get('requestId');
  return reqId ? logger.child({ reqId }) : logger;
}
