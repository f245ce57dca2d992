import { createHash, timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from 'pino';
import { TERMINAL_STATUSES } from './core/call-status.js';
import type { ErrorCode } from './core/errors.js';
import { PROVIDERS, type Provider } from './core/rows.js';
import type { Database } from './db/database.js';
import type { TableChange } from './realtime/change-feed.js';
import type { RealtimeTable } from './realtime/catalog.js';
import type { WebhookOutcome } from './webhooks/webhook-call.js';

/**
 * Latency buckets for a webhook, in seconds: a handler does a few queries (milliseconds), and
 * Twilio gives up after 15 s.
 */
const WEBHOOK_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];

/** Live statuses, as the partial index `active_calls_live` lists them (so the count reads the index). */
const LIVE_CALLS_SQL = `select provider, count(*)::int as live from active_calls
  where status in ('dialing', 'ringing', 'in-progress') group by provider`;

export type RateLimitedEndpoint = 'sign_in' | 'sign_up';
export type RateLimitReason = 'throttle' | 'hash_queue';

/**
 * The app's Prometheus metrics, one registry per app instance (no global registry: STYLE 2).
 * Each method is the port one part of the app declares (functions, webhooks, realtime, auth);
 * a part built without metrics simply has none.
 */
export interface Metrics {
  readonly registry: Registry;
  countPlaced(provider: Provider): void;
  countRefused(code: ErrorCode): void;
  observeWebhook(event: string, outcome: WebhookOutcome, seconds: number): void;
  /** Every committed change the change feed reads; a new history row is a call that ended. */
  observeChange(change: TableChange): void;
  trackRoom(size: { readonly sockets: () => number; readonly channels: () => number }): void;
  countDelivered(table: RealtimeTable): void;
  countSlowConsumerDropped(): void;
  countRateLimited(endpoint: RateLimitedEndpoint, reason: RateLimitReason): void;
}

/**
 * Builds the registry with every metric of the app, and prom-client's default process metrics.
 * Live calls and pool use are read from `db` when Prometheus scrapes.
 */
export function createMetrics({ db, logger }: { db: Database; logger: Logger }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const placed = new Counter({ name: 'dialer_calls_placed_total', help: 'Calls placed (a call row written), by provider.', labelNames: ['provider'], registers });
  const refused = new Counter({ name: 'dialer_calls_refused_total', help: 'Dial requests refused before a call was written, by error code.', labelNames: ['code'], registers });
  const ended = new Counter({
    name: 'dialer_calls_ended_total',
    help: 'Calls ended, by outcome and provider: each history row the database writes with a final status, as the change feed reads it.',
    labelNames: ['outcome', 'provider'],
    registers,
  });
  // Series start at 0, so a rate is there from the first call on.
  for (const provider of PROVIDERS) {
    placed.inc({ provider }, 0);
    for (const outcome of TERMINAL_STATUSES) ended.inc({ outcome, provider }, 0);
  }
  new Gauge({
    name: 'dialer_calls_live',
    help: 'Calls not yet ended (dialing, ringing, in-progress), by provider, read from the database at scrape time.',
    labelNames: ['provider'],
    registers,
    async collect() {
      this.reset();
      try {
        const rows = await db.query<{ provider: string; live: number }>(LIVE_CALLS_SQL);
        for (const provider of PROVIDERS) this.set({ provider }, rows.find((row) => row.provider === provider)?.live ?? 0);
      } catch (error) {
        // Left empty: the rest of the metrics are still served, and /ready says the database is down.
        logger.warn({ err: error }, 'metrics: could not count live calls');
      }
    },
  });
  const webhookSeconds = new Histogram({
    name: 'dialer_twilio_webhook_duration_seconds',
    help: 'Time to answer a Twilio webhook, by webhook.',
    labelNames: ['event'],
    buckets: WEBHOOK_SECONDS_BUCKETS,
    registers,
  });
  const webhooks = new Counter({
    name: 'dialer_twilio_webhooks_total',
    help: 'Twilio webhooks by webhook and outcome: accepted, duplicate (a repeated status callback), refused (bad signature).',
    labelNames: ['event', 'outcome'],
    registers,
  });
  let roomSize: { readonly sockets: () => number; readonly channels: () => number } | undefined;
  new Gauge({
    name: 'dialer_realtime_sockets',
    help: 'Open realtime WebSockets.',
    registers,
    collect() {
      this.set(roomSize?.sockets() ?? 0);
    },
  });
  new Gauge({
    name: 'dialer_realtime_channels',
    help: 'Joined realtime channels, over all sockets.',
    registers,
    collect() {
      this.set(roomSize?.channels() ?? 0);
    },
  });
  const delivered = new Counter({ name: 'dialer_realtime_changes_delivered_total', help: 'Changes sent to subscribed channels, by table.', labelNames: ['table'], registers });
  const dropped = new Counter({ name: 'dialer_realtime_slow_consumers_dropped_total', help: 'Realtime sockets closed for falling too far behind.', registers });
  new Gauge({
    name: 'dialer_db_connections_max',
    help: 'Connections the database client may open (PGlite has one).',
    registers,
    collect() {
      this.set(db.stats?.().maxConnections ?? 0);
    },
  });
  new Gauge({
    name: 'dialer_db_operations_in_flight',
    help: 'Queries and transactions running or waiting for a connection (the scrape\'s own count of live calls included); above dialer_db_connections_max, some wait.',
    registers,
    collect() {
      this.set(db.stats?.().inFlight ?? 0);
    },
  });
  const rateLimited = new Counter({
    name: 'dialer_auth_rate_limited_total',
    help: 'Sign-ins and sign-ups refused with 429, by endpoint and reason: throttle (too many failed sign-ins), hash_queue (the password hash queue was full).',
    labelNames: ['endpoint', 'reason'],
    registers,
  });

  return {
    registry,
    countPlaced: (provider) => placed.inc({ provider }),
    countRefused: (code) => refused.inc({ code }),
    observeWebhook(event, outcome, seconds) {
      webhooks.inc({ event, outcome });
      webhookSeconds.observe({ event }, seconds);
    },
    observeChange(change) {
      // The trigger writes exactly one history row per call, in the transaction of its final status (HI1).
      if (change.table !== 'call_logs' || change.type !== 'INSERT' || !change.record) return;
      const { outcome, provider } = change.record;
      ended.inc({ outcome: String(outcome), provider: PROVIDERS.find((known) => known === provider) ?? 'unknown' });
    },
    trackRoom: (size) => {
      roomSize = size;
    },
    countDelivered: (table) => delivered.inc({ table }),
    countSlowConsumerDropped: () => dropped.inc(),
    countRateLimited: (endpoint, reason) => rateLimited.inc({ endpoint, reason }),
  };
}

/** Compares a presented Bearer token with the configured one in constant time. */
export function isMetricsToken(presented: string | undefined, token: string): boolean {
  if (presented === undefined) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(token));
}
