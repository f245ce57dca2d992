import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import type { Logger } from 'pino';
import { createAuthRoutes } from './api/auth.js';
import { limitRequestBodies } from './api/body-limit.js';
import { createFunctionRoutes } from './api/functions.js';
import { createExportRoutes } from './api/exports.js';
import { createImportRoutes } from './api/imports.js';
import { errorResponse } from './api/http.js';
import type { TokenService } from './api/jwt.js';
import { createRestRoutes } from './api/rest.js';
import type { Database } from './db/database.js';
import type { FunctionContext } from './functions/context.js';
import { isMetricsToken, type Metrics } from './metrics.js';
import { loggerFor } from './request-logger.js';
import type { Readiness } from './readiness.js';
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
  /** Counted by the functions, webhooks and sign-in; served at GET /metrics when `metricsToken` is set. */
  readonly metrics?: Metrics | undefined;
  /** METRICS_TOKEN: the Bearer token /metrics asks for; unset, /metrics answers 404. */
  readonly metricsToken?: string | undefined;
  /** OPEN_SIGNUP: anyone may sign up into a workspace of their own; absent, false (invitations only). */
  readonly openSignup?: boolean | undefined;
  /** What GET /ready checks (database, migrations, change capture, shutdown); absent, the database alone. */
  readonly readiness?: Readiness | undefined;
}

/** The whole HTTP surface, with no side effects (STYLE 2): tests call it in-process. */
export function createApp(deps: AppDeps): Hono {
  const { db, tokens, logger, metrics } = deps;
  const app = new Hono();

  app.onError((error, c) => {
    loggerFor(logger, c).error({ err: error, path: c.req.path }, 'request failed');
    return errorResponse('internal_error', 'Something went wrong on the server; the request was not completed.');
  });

  // Every request gets an id (a well-formed X-Request-Id it came with, else a new one), sent
  // back in X-Request-Id and carried by the lines logged while serving it (loggerFor).
  app.use('*', requestId());
  // The middleware's header reaches only responses built with `c`; handlers return plain Responses too.
  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('X-Request-Id', c.get('requestId'));
  });
  // Browsers on another origin (the Vite dev server) send supabase-js's headers.
  app.use('/auth/v1/*', cors());
  app.use('/rest/v1/*', cors({ origin: '*', exposeHeaders: ['Content-Range'] }));
  app.use('/functions/v1/*', cors());
  app.use('/imports/*', cors());
  // Before anything reads a body (the API key check included): one over its route's limit is refused unread.
  app.use('*', limitRequestBodies());

  // Like Supabase's gateway: every API call carries a key this server issued.
  const requireApiKey = async (c: { req: { header(name: string): string | undefined; query(name: string): string | undefined } }) => {
    const key = c.req.header('apikey') ?? c.req.query('apikey');
    if (!key) return errorResponse('unauthorized', 'No API key found in request: send the anon key (from /config.json) as the apikey header.');
    if (!(await tokens.verify(key)).ok) return errorResponse('unauthorized', 'Invalid API key: use the anon key from /config.json.');
    return undefined;
  };
  for (const prefix of ['/auth/v1/*', '/rest/v1/*', '/functions/v1/*', '/imports/*']) {
    app.use(prefix, async (c, next) => {
      if (c.req.method === 'OPTIONS') return next();
      const refusal = await requireApiKey(c);
      if (refusal) return refusal;
      return next();
    });
  }

  app.route('/auth/v1', createAuthRoutes({ db, tokens, startInDemoMode: deps.functions.twilio === undefined, openSignup: deps.openSignup ?? false, metrics }));
  app.route('/functions/v1', createFunctionRoutes(tokens, { ...deps.functions, metrics }));
  app.route('/rest/v1', createRestRoutes({ db, tokens }));
  // CSV downloads a browser navigates to: the link's own short-lived token is the credential (no API key).
  app.route('/exports', createExportRoutes({ db, tokens, logger }));
  // A CSV file uploaded as the raw body, previewed, then imported by startLeadImport.
  app.route('/imports', createImportRoutes({ db, tokens }));
  // Twilio signs its webhooks instead of sending our API key; the routes check the signature.
  if (deps.twilioWebhooks) app.route(TWILIO_WEBHOOK_PREFIX, createTwilioWebhookRoutes({ ...deps.twilioWebhooks, metrics }));

  // Prometheus, for a Bearer token from METRICS_TOKEN; without one it is not served at all.
  app.get('/metrics', async (c) => {
    const { metricsToken } = deps;
    if (!metrics || !metricsToken) return errorResponse('not_found', 'Metrics are off: set METRICS_TOKEN to serve them.');
    if (!isMetricsToken(c.req.header('authorization')?.match(/^Bearer (.+)$/i)?.[1], metricsToken)) {
      return errorResponse('unauthorized', 'Send the metrics token (METRICS_TOKEN) as a Bearer token.', { 'WWW-Authenticate': 'Bearer' });
    }
    return c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType });
  });

  app.get('/config.json', (c) => c.json({ url: deps.publicUrl ?? new URL(c.req.url).origin, anonKey: tokens.anonKey }));
  // For a load balancer. /health: the process is up and serving (no database work, so a slow
  // database never gets a healthy process restarted). /ready: it should be sent new work.
  app.get('/health', (c) => c.json({ status: 'ok', database: db.kind }));
  app.get('/ready', async (c) => {
    if (!deps.readiness) {
      const isUp = await db.sql`select 1`.then(() => true, () => false);
      return isUp ? c.json({ status: 'ready' }) : c.json({ status: 'not_ready', failed: 'database', message: 'The database did not answer.' }, 503);
    }
    const report = await deps.readiness.check();
    return c.json(report, report.status === 'ready' ? 200 : 503, { 'Cache-Control': 'no-store' });
  });
  // Last: the web app's files, and its index.html for every other page path.
  app.route('/', createWebAppRoutes());

  return app;
}
