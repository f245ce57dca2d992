import type { Logger } from 'pino';
import type { z } from 'zod';
import type { TokenService } from '../api/jwt.js';
import { fail, ok, type ErrorCode, type Result } from '../core/errors.js';
import type { Provider } from '../core/rows.js';
import type { Database } from '../db/database.js';
import type { TelephonyProvider } from '../telephony/provider.js';
import type { VoiceTokenIssuer } from '../telephony/twilio/voice-token.js';
import type { Caller } from './caller.js';
import { describeZodError } from './schemas.js';

export interface FunctionContext {
  readonly db: Database;
  readonly mock: TelephonyProvider;
  /** Absent when the server has no Twilio credentials. */
  readonly twilio: TelephonyProvider | undefined;
  /** Issues browsers their Twilio Voice tokens; absent without a Twilio API key. */
  readonly voiceTokens?: VoiceTokenIssuer | undefined;
  readonly logger: Logger;
  /** A fresh seed for a simulated call that did not ask for one. */
  readonly newSeed: () => number;
  readonly metrics?: CallMetrics | undefined;
  /** The dial gate's clock (ms since the epoch); the system clock when absent. Tests pass their own. */
  readonly clock?: { now(): number } | undefined;
  /** The server's token service, passed in by the function routes (createExport signs its links with it). */
  readonly tokens?: TokenService | undefined;
}

/** Dials counted by the functions that place calls. */
export interface CallMetrics {
  countPlaced(provider: Provider): void;
  /** A dial refused before any call was written (bad input, do-not-call, a busy line, ...). */
  countRefused(code: ErrorCode): void;
}

export type FunctionHandler = (request: Request, caller: Caller, context: FunctionContext) => Promise<Response>;

/** Parses a JSON body with a schema; bad JSON and schema failures both become `invalid_request`. */
export async function parseBody<Schema extends z.ZodType>(request: Request, schema: Schema): Promise<Result<z.output<Schema>>> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return fail('invalid_request', 'The request body must be a JSON object.');
  }
  const parsed = schema.safeParse(body);
  return parsed.success ? ok(parsed.data) : fail('invalid_request', describeZodError(parsed.error));
}
