import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { pino, type Logger } from 'pino';
import WebSocket from 'ws';
import { createApp } from '../../src/app.js';
import { createTokenService, type TokenService } from '../../src/api/jwt.js';
import type { Database } from '../../src/db/database.js';
import { createMetrics } from '../../src/metrics.js';
import { startRealtimeServer, type RealtimeServer } from '../../src/realtime/realtime-server.js';
import { createMockProvider } from '../../src/telephony/mock/mock-provider.js';
import { systemClock, type TelephonyProvider } from '../../src/telephony/provider.js';
import { createProductionMode, type ProductionModeOptions } from '../../src/telephony/twilio/production-mode.js';
import type { TwilioProvider } from '../../src/telephony/twilio/twilio-provider.js';
import type { Role } from '../../src/core/workspace.js';
import type { MemberRow } from '../../src/db/workspaces.js';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './databases.js';
import { createTestDialClock, type TestDialClock } from './dial-clock.js';
import { addMember, type AddMemberOptions } from './members.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-signing';

export interface TestServer {
  readonly url: string;
  readonly db: Database;
  readonly testDb: TestDatabase;
  readonly tokens: TokenService;
  readonly mock: TelephonyProvider;
  /** The dial gate's clock: a weekday midday in the US unless a test pins it (test/support/dial-clock.ts). */
  readonly dialClock: TestDialClock;
  /** Production mode's provider, when the server was started with `twilio` options. */
  readonly twilio: TwilioProvider | undefined;
  /** The realtime server now serving (replaced by `restartRealtime`). */
  readonly realtime: RealtimeServer;
  /** Stops realtime: sockets are cut and new ones refused, as in an outage. */
  stopRealtime(): Promise<void>;
  restartRealtime(): Promise<void>;
  /** A supabase-js client as the web UI makes one. */
  client(): SupabaseClient;
  /** A new user, signed in, with their own client (with open sign-up: the admin of a new workspace). */
  signUp(prefix?: string): Promise<SignedUpUser>;
  /** A new user whose client sends their access token on REST, functions and realtime alike, with no session of its own. */
  signUpWithToken(prefix?: string): Promise<SignedUpUser>;
  /** A new member of the admin's workspace with this role: the admin invites (createInvitation), the member signs up with the token. */
  signUpInto(admin: SupabaseClient, role: Role, prefix?: string): Promise<SignedUpUser>;
  /** An account and membership written by SQL, for rows seeded by SQL (see test/support/members.ts). */
  addMember(email?: string, options?: AddMemberOptions): Promise<MemberRow>;
  close(): Promise<void>;
}

export interface SignedUpUser {
  readonly client: SupabaseClient;
  readonly email: string;
  readonly userId: string;
  readonly accessToken: string;
}

let userCounter = 0;
const TEST_PASSWORD = 'correct horse battery';

export const newTestEmail = (prefix = 'rep') => `${prefix}-${process.pid}-${++userCounter}-${Date.now()}@example.com`;

export interface TestServerOptions {
  /** Production mode against a Twilio API (the local Twilio simulator in tests). */
  readonly twilio?: Pick<ProductionModeOptions, 'twilio' | 'calls' | 'requestTimeoutMs' | 'sweep'>;
  /** Metrics served at /metrics for this Bearer token (METRICS_TOKEN); without it /metrics is off. */
  readonly metrics?: { readonly token: string };
  /** The server's logger (by default a silent one, or TEST_LOG_LEVEL's). */
  readonly logger?: Logger;
  /** OPEN_SIGNUP; on by default here, so every `signUp` is the admin of a workspace of their own. */
  readonly openSignup?: boolean;
}

/** The real app on a loopback port over a fresh database, for supabase-js to talk to. */
export async function startTestServer(kind: DatabaseKind, options: TestServerOptions = {}): Promise<TestServer> {
  const testDb = await createTestDatabase(kind);
  const { db } = testDb;
  const logger = options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const metrics = options.metrics ? createMetrics({ db, logger }) : undefined;
  const tokens = await createTokenService(TEST_JWT_SECRET);
  const mock = createMockProvider({ db, clock: systemClock, logger });
  const dialClock = createTestDialClock();
  let seed = 1;
  let listeningUrl = '';
  const production = options.twilio ? createProductionMode({ ...options.twilio, db, logger, clock: systemClock, publicUrl: undefined, webhookBaseUrl: () => listeningUrl }) : undefined;
  const app = createApp({
    db,
    tokens,
    logger,
    publicUrl: undefined,
    twilioWebhooks: production?.webhooks,
    functions: { db, mock, twilio: production?.provider, voiceTokens: production?.voiceTokens, logger, newSeed: () => seed++, clock: dialClock },
    metrics,
    metricsToken: options.metrics?.token,
    openSignup: options.openSignup ?? true,
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  listeningUrl = url;
  const startRealtime = () => startRealtimeServer({ server, db, tokens, clock: systemClock, logger, metrics });
  let realtime: RealtimeServer | undefined = await startRealtime();

  const client = () => createClient(url, tokens.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
    });

  async function signUpWith(prefix: string, invitationToken?: string): Promise<SignedUpUser> {
    const email = newTestEmail(prefix);
    const c = client();
    const { data, error } = await c.auth.signUp({ email, password: TEST_PASSWORD, ...(invitationToken ? { options: { data: { invitation_token: invitationToken } } } : {}) });
    if (error || !data.user || !data.session) throw new Error(`sign-up failed: ${error?.message ?? 'no session'}`);
    return { client: c, email, userId: data.user.id, accessToken: data.session.access_token };
  }
  const signUp = (prefix = 'rep') => signUpWith(prefix);

  return {
    url,
    db,
    testDb,
    tokens,
    mock,
    dialClock,
    twilio: production?.provider,
    get realtime() {
      if (!realtime) throw new Error('realtime is stopped');
      return realtime;
    },
    async stopRealtime() {
      await realtime?.stop();
      realtime = undefined;
    },
    async restartRealtime() {
      await realtime?.stop();
      realtime = await startRealtime();
    },
    client,
    signUp,
    async signUpInto(admin, role, prefix = role) {
      const { data, error } = await admin.functions.invoke<{ token: string }>('createInvitation', { body: { role } });
      if (error || !data) throw new Error(`createInvitation failed: ${String(error)}`);
      return signUpWith(prefix, data.token);
    },
    addMember: (email, memberOptions) => addMember(db, email, memberOptions),
    async signUpWithToken(prefix = 'rep') {
      const user = await signUp(prefix);
      const tokenClient = createClient(url, tokens.anonKey, {
        auth: { persistSession: false, autoRefreshToken: false },
        accessToken: async () => user.accessToken,
        realtime: { transport: WebSocket as never },
      });
      return { ...user, client: tokenClient };
    },
    async close() {
      mock.stop();
      production?.provider.stop();
      await realtime?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await testDb.dispose();
    },
  };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
