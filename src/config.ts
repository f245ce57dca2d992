import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { LOCAL_TWILIO_SIMULATOR } from './telephony/twilio/local-simulator.js';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  DIALER_DATA_DIR: z.string().default('.dialer'),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must have at least 32 characters').optional(),
  PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MOCK_RESUME_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(15),
  TWILIO_ACCOUNT_SID: z.string().optional(),
  TWILIO_AUTH_TOKEN: z.string().optional(),
  TWILIO_API_KEY: z.string().optional(),
  TWILIO_API_SECRET: z.string().optional(),
  TWILIO_FROM_NUMBER: z.string().optional(),
  TWILIO_API_BASE_URL: z.string().url().optional(),
  SHUTDOWN_DELAY_SECONDS: z.coerce.number().min(0).max(300).default(0),
  METRICS_TOKEN: z.string().trim().min(16, 'METRICS_TOKEN must have at least 16 characters').optional(),
  OPEN_SIGNUP: z.enum(['true', 'false'], 'OPEN_SIGNUP must be true or false').default('false'),
});

export interface TwilioConfig {
  readonly accountSid: string;
  readonly authToken: string;
  readonly fromNumber: string;
  readonly apiKey: string | undefined;
  readonly apiSecret: string | undefined;
  readonly apiBaseUrl: string | undefined;
}

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly jwtSecret: string;
  readonly publicUrl: string | undefined;
  readonly logLevel: string;
  /** How long a simulated call may be frozen by a restart and still resume. */
  readonly mockResumeGraceMs: number;
  readonly twilio: TwilioConfig | undefined;
  /**
   * How long a stopping instance keeps serving, answering /ready with 503, before it closes its
   * listener. Behind a balancer: the time it takes to see an instance as down.
   */
  readonly shutdownDelayMs: number;
  /** The Bearer token /metrics asks for; without it the endpoint is off. */
  readonly metricsToken: string | undefined;
  /**
   * OPEN_SIGNUP=true: anyone may sign up and gets a workspace of their own. Off (the default),
   * only the install's first account signs up uninvited; everyone else needs an invitation.
   */
  readonly openSignup: boolean;
}

/** Keeps a generated secret in the data dir so tokens survive restarts. */
async function loadOrCreateSecret(dataDir: string): Promise<string> {
  const file = join(dataDir, 'jwt-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const secret = randomBytes(48).toString('base64url');
    await writeFile(file, `${secret}\n`, { mode: 0o600 });
    return secret;
  }
}

export async function loadConfig(env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
  if (!parsed.success) {
    throw new Error(`Configuration error: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.DIALER_DATA_DIR);
  // Whatever else is set: the embedded database and a generated secret both live here.
  await mkdir(dataDir, { recursive: true });
  // TWILIO_API_BASE_URL without an account means the local Twilio simulator and its account.
  const simulator = e.TWILIO_API_BASE_URL && !e.TWILIO_ACCOUNT_SID ? LOCAL_TWILIO_SIMULATOR : undefined;
  const accountSid = e.TWILIO_ACCOUNT_SID ?? simulator?.accountSid;
  const authToken = e.TWILIO_AUTH_TOKEN ?? simulator?.authToken;
  const fromNumber = e.TWILIO_FROM_NUMBER ?? simulator?.fromNumber;
  const twilio =
    accountSid && (authToken || (e.TWILIO_API_KEY && e.TWILIO_API_SECRET)) && fromNumber
      ? {
          accountSid,
          authToken: authToken ?? '',
          fromNumber,
          apiKey: e.TWILIO_API_KEY,
          apiSecret: e.TWILIO_API_SECRET,
          apiBaseUrl: e.TWILIO_API_BASE_URL,
        }
      : undefined;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    jwtSecret: e.JWT_SECRET ?? (await loadOrCreateSecret(dataDir)),
    publicUrl: e.PUBLIC_URL,
    logLevel: e.LOG_LEVEL,
    mockResumeGraceMs: e.MOCK_RESUME_GRACE_SECONDS * 1000,
    twilio,
    shutdownDelayMs: e.SHUTDOWN_DELAY_SECONDS * 1000,
    metricsToken: e.METRICS_TOKEN,
    openSignup: e.OPEN_SIGNUP === 'true',
  };
}
