import { randomInt } from 'node:crypto';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { createTokenService } from './api/jwt.js';
import { loadConfig } from './config.js';
import { createDialerSessionRunner } from './db/dialer-session-runner.js';
import { migrate } from './db/migrate.js';
import { openDatabase } from './db/open-database.js';
import { createLogger } from './logger.js';
import { leadImportRunnerFor } from './functions/lead-import-runner.js';
import { createMetrics } from './metrics.js';
import { findProductionStartProblem, isProduction } from './production-start.js';
import { listMigrationNames } from './db/migrate.js';
import { createReadiness } from './readiness.js';
import { chooseChangeCapture, describeChangeCapture } from './realtime/change-feed.js';
import { startRealtimeServer, type RealtimeServer } from './realtime/realtime-server.js';
import { createGracefulShutdown, DRAIN_TIMEOUT_MS, PROVIDER_SETTLE_MS, SHUTDOWN_CLEANUP_MS, trackRequests } from './server-lifecycle.js';
import { createMockProvider } from './telephony/mock/mock-provider.js';
import { systemClock } from './telephony/provider.js';
import { createProductionMode } from './telephony/twilio/production-mode.js';
import { DEFAULT_WEB_ROOT } from './web-app-routes.js';

/** The composition root: read config, build every part, listen. */
async function main(): Promise<void> {
  if (isProduction()) {
    const problem = await findProductionStartProblem({ env: process.env, webRoot: DEFAULT_WEB_ROOT });
    if (problem) throw new Error(problem);
  }
  const config = await loadConfig();
  const logger = createLogger(config.logLevel);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: `${config.dataDir}/pgdata` });
  const applied = await migrate(db);
  if (applied.length > 0) logger.info({ applied }, 'database migrated');

  const tokens = await createTokenService(config.jwtSecret);
  // Metrics are counted only when they are served: at /metrics, for METRICS_TOKEN.
  const { metricsToken, shutdownDelayMs } = config;
  const metrics = metricsToken ? createMetrics({ db, logger }) : undefined;
  const mock = createMockProvider({ db, clock: systemClock, logger, resumeGraceMs: config.mockResumeGraceMs });
  let listeningUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
  const production = config.twilio
    ? createProductionMode({ twilio: config.twilio, db, logger, clock: systemClock, publicUrl: config.publicUrl, webhookBaseUrl: () => listeningUrl })
    : undefined;
  // Until the realtime server below is up, change capture is not running and /ready says so.
  let realtime: RealtimeServer | undefined = undefined;
  const readiness = createReadiness({
    db,
    expectedMigrations: await listMigrationNames(),
    checkCapture: async (timeoutMs) => (realtime ? realtime.checkCapture(timeoutMs) : false),
    logger,
  });
  const app = createApp({
    readiness,
    metrics,
    metricsToken,
    openSignup: config.openSignup,
    db,
    tokens,
    logger,
    publicUrl: config.publicUrl,
    twilioWebhooks: production?.webhooks,
    functions: { db, mock, twilio: production?.provider, voiceTokens: production?.voiceTokens, logger, newSeed: () => randomInt(0, 2 ** 31 - 1) },
  });

  await mock.recoverUnfinishedCalls();
  // Decided by the database (wal_level, dialer.change_capture), before the banner names it.
  const capture = await chooseChangeCapture(db);
  const [{ exists: hasWorkspace } = { exists: false }] = await db.sql<{ exists: boolean }>`select exists (select 1 from workspaces)`;

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    const url = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${info.port}`;
    listeningUrl = url;
    const mode = config.twilio ? 'Twilio is configured: real calls are available.' : 'Demo mode: calls are simulated (no Twilio credentials set).';
    const signInHint = describeSignIn(hasWorkspace, config.openSignup);
    const database = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded Postgres in ${config.dataDir}`;
    process.stdout.write(
      [
        '',
        `  Dialer is running at ${url}`,
        `  Database: ${database}`,
        `  Realtime: changes captured by ${describeChangeCapture(capture)}`,
        `  ${mode}`,
        `  ${signInHint}`,
        `  Scripts and supabase-js clients read their settings from ${url}/config.json`,
        '',
      ].join('\n') + '\n',
    );
  });

  // A port already taken is a start-up error like the others, said in one line.
  server.once('error', (error: NodeJS.ErrnoException) => {
    const reason = error.code === 'EADDRINUSE' ? `port ${config.port} on ${config.host} is already in use` : error.message;
    process.stderr.write(`Dialer failed to start: ${reason}\n`);
    process.exit(1);
  });
  const requests = trackRequests(server);
  realtime = await startRealtimeServer({ server, db, tokens, clock: systemClock, logger, metrics, capture });
  const realtimeServer = realtime;
  // Calls left unfinished by a previous run are fetched from Twilio, then a sweeper keeps watch (RS1).
  void production?.provider.recoverUnfinishedCalls().catch((error: unknown) => logger.error({ err: error }, 'could not reconcile calls with Twilio'));
  // Lead imports a killed process left unfinished are resumed after their last committed batch.
  const leadImports = leadImportRunnerFor(db, logger);
  leadImports.startSweeping();
  // Power-dial sessions dial from here (demo mode and Twilio mode); each session is run by one instance at a time (its lease).
  const sessionRunner = createDialerSessionRunner({
    db,
    mock,
    twilio: production ? { provider: production.provider, legs: production.sessionLegs } : undefined,
    clock: systemClock,
    logger,
    isTwilioConfigured: config.twilio !== undefined,
  });
  sessionRunner.start();

  // A rolling restart loses nothing: see createGracefulShutdown. A second signal skips the delay.
  const shutdown = createGracefulShutdown({
    server,
    requests,
    readiness,
    stopRealtime: () => realtimeServer.stop(),
    stopBackgroundWork: async () => {
      // First, so no pass places a call the simulator no longer plays here; its leases are given
      // up, and another instance takes its sessions over at once.
      await sessionRunner.stop();
      mock.stop();
      production?.provider.stop();
      // An import stops after its current batch and stays running, for the next process to resume.
      await leadImports.stop();
      await production?.provider.settle(PROVIDER_SETTLE_MS);
    },
    closeDatabase: () => db.close(),
    logger,
    delayMs: shutdownDelayMs,
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (readiness.isShuttingDown()) return shutdown.skipDelay();
    setTimeout(() => {
      logger.error('shutdown took too long: exiting anyway');
      process.exit(1);
    }, shutdownDelayMs + DRAIN_TIMEOUT_MS + SHUTDOWN_CLEANUP_MS).unref();
    void shutdown.run(signal).then((exitCode) => process.exit(exitCode));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

main().catch((error: unknown) => {
  process.stderr.write(`Dialer failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

/** The banner's sign-in line: who may create an account on this install right now. */
function describeSignIn(hasWorkspace: boolean, openSignup: boolean): string {
  if (!hasWorkspace) return 'Sign in: open the URL, choose "Create account": the first account (any email, a password of 8+ characters) is the workspace\'s admin.';
  if (openSignup) return 'Sign in: open the URL and sign in, or choose "Create account" (OPEN_SIGNUP: any email gets a workspace of its own).';
  return 'Sign in: open the URL and sign in; a new member joins through an invitation link from an admin (Team screen).';
}
