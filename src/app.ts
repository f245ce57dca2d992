import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { Logger } from 'pino';
import { createAuthRoutes } from './api/auth.js';
import { limitRequestBodies } from './api/body-limit.js';
import { createFunctionRoutes } from './api/functions.js';
import { errorResponse } from './api/http.js';
import type { TokenService } from './api/jwt.js';
import { createRestRoutes } from './api/rest.js';
import type { Database } from './db/database.js';
import type { FunctionContext } from './functions/context.js';
import { createWebAppRoutes } from './web-app-routes.js';
import { createTwilioWebhookRoutes, type TwilioWebhookDeps } from './webhooks/twilio-routes.js';
import { TWILIO_WEBHOOK_PREFIX } from './webhooks/twilio-webhook-urls.js';

export interface AppDeps {
  readonly db: Database;
  readonly tokens: TokenService;
  readonly functions: FunctionContext;
  readonly logger: Logger;
  /** The address clients should use; defaults to the address each request came in on. */
  readonly publicUrl: string | undefined;
  /** Twilio's webhooks (production mode); absent without Twilio credentials. */
  readonly twilioWebhooks?: TwilioWebhookDeps | undefined;
}

/** The whole HTTP surface, with no side effects (STYLE 2): tests call it in-process. */
export function createApp(deps: AppDeps): Hono {
  const { db, tokens, logger } = deps;
  const app = new Hono();

  app.onError((error, c) => {
    logger.error({ err: error, path: c.req.path }, 'request failed');
    return errorResponse('internal_error', 'Something went wrong on the server; the request was not completed.');
  });

  // Browsers on another origin (the Vite dev server) send supabase-js's headers.
  app.use('/auth/v1/*', cors());
  app.use('/rest/v1/*', cors({ origin: '*', exposeHeaders: ['Content-Range'] }));
  app.use('/functions/v1/*', cors());
  // Before anything reads a body (the API key check included): one over its route's limit is refused unread.
  app.use('*', limitRequestBodies());

  // Like Supabase's gateway: every API call carries a key this server issued.
  const requireApiKey = async (c: { req: { header(name: string): string | undefined; query(name: string): string | undefined } }) => {
    const key = c.req.header('apikey') ?? c.req.query('apikey');
    if (!key) return errorResponse('unauthorized', 'No API key found in request: send the anon key (from /config.json) as the apikey header.');
    if (!(await tokens.verify(key)).ok) return errorResponse('unauthorized', 'Invalid API key: use the anon key from /config.json.');
    return undefined;
  };
  for (const prefix of ['/auth/v1/*', '/rest/v1/*', '/functions/v1/*']) {
    app.use(prefix, async (c, next) => {
      if (c.req.method === 'OPTIONS') return next();
      const refusal = await requireApiKey(c);
      if (refusal) return refusal;
      return next();
    });
  }

  app.route('/auth/v1', createAuthRoutes({ db, tokens, startInDemoMode: deps.functions.twilio === undefined }));
  app.route('/functions/v1', createFunctionRoutes(tokens, deps.functions));
  app.route('/rest/v1', createRestRoutes({ db, tokens }));
  // Twilio signs its webhooks instead of sending our API key; the routes check the signature.
  if (deps.twilioWebhooks) app.route(TWILIO_WEBHOOK_PREFIX, createTwilioWebhookRoutes(deps.twilioWebhooks));

  app.get('/config.json', (c) => c.json({ url: deps.publicUrl ?? new URL(c.req.url).origin, anonKey: tokens.anonKey }));
  app.get('/health', async (c) => {
    await db.sql`select 1`;
    return c.json({ status: 'ok', database: db.kind });
  });
  // Last: the web app's files, and its index.html for every other page path.
  app.route('/', createWebAppRoutes());

  return app;
}
