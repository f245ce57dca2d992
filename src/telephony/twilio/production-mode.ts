import type { Logger } from 'pino';
import type { TwilioConfig } from '../../config.js';
import type { Database } from '../../db/database.js';
import type { TwilioWebhookDeps } from '../../webhooks/webhook-call.js';
import type { Clock } from '../provider.js';
import type { SessionLegs } from '../session-legs.js';
import { createTwilioClient, type TwilioCallsApi } from './twilio-client.js';
import { createTwilioSessionLegs } from './session-legs.js';
import { createTwilioProvider, type TwilioProvider, type TwilioProviderOptions } from './twilio-provider.js';
import { createVoiceTokenIssuer, type VoiceTokenIssuer } from './voice-token.js';

export interface ProductionMode {
  readonly provider: TwilioProvider;
  readonly webhooks: TwilioWebhookDeps;
  readonly voiceTokens: VoiceTokenIssuer | undefined;
  /** What a power-dial session does with its live lines at Twilio (bridge, safe harbor, voicemail drop, hang up). */
  readonly sessionLegs: SessionLegs;
}

export interface ProductionModeOptions {
  readonly twilio: TwilioConfig;
  readonly db: Database;
  readonly logger: Logger;
  readonly clock: Clock;
  /** PUBLIC_URL: where Twilio reaches us, and the address Twilio signs webhooks for. */
  readonly publicUrl: string | undefined;
  /** Where Twilio reaches our webhooks: PUBLIC_URL, else the address the server listens on. */
  readonly webhookBaseUrl: () => string;
  /** Another `client.calls` (tests); by default twilio-node's, pointed at TWILIO_API_BASE_URL when set. */
  readonly calls?: TwilioCallsApi;
  readonly requestTimeoutMs?: number;
  readonly sweep?: Pick<TwilioProviderOptions, 'sweepIntervalMs' | 'staleAfterMs' | 'unconfirmedAfterMs' | 'endConfirmAfterMs' | 'verdictWaitMs'>;
}

/** Everything production mode needs, built from the Twilio configuration. */
export function createProductionMode(options: ProductionModeOptions): ProductionMode {
  const { twilio, db, logger, clock } = options;
  if (twilio.authToken === '') {
    logger.warn('TWILIO_AUTH_TOKEN is not set: Twilio signs webhooks with it, so every webhook will be refused until it is.');
  }
  const calls = options.calls ?? createTwilioClient(twilio, options.requestTimeoutMs === undefined ? {} : { timeoutMs: options.requestTimeoutMs }).calls;
  const provider = createTwilioProvider({ db, calls, clock, logger, fromNumber: twilio.fromNumber, webhookBaseUrl: options.webhookBaseUrl, ...options.sweep });
  return {
    provider,
    webhooks: { db, logger, authToken: twilio.authToken, publicUrl: options.publicUrl, calls: provider },
    voiceTokens: createVoiceTokenIssuer(twilio),
    sessionLegs: createTwilioSessionLegs({ db, calls, provider, logger, webhookBaseUrl: options.webhookBaseUrl }),
  };
}
