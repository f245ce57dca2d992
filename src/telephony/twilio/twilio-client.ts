import twilio from 'twilio';
import type { CallListInstanceCreateOptions } from 'twilio/lib/rest/api/v2010/account/call.js';
import type { TwilioConfig } from '../../config.js';
import type { TwilioFailure } from '../../core/twilio-errors.js';

export type CreateCallOptions = CallListInstanceCreateOptions;

/** The fields of Twilio's Call resource we read (a slice of twilio-node's CallInstance). */
export interface TwilioCall {
  readonly sid: string;
  readonly status: string;
  readonly endTime: Date | null;
  readonly duration: string | null;
  readonly answeredBy: string | null;
}

/**
 * What a Call update may ask (twilio-node's CallContextUpdateOptions, as far as we use it): end
 * the call (`canceled` before the answer, `completed` after), or redirect an answered call to
 * new TwiML, given inline (`Twiml`) or fetched from a URL; Twilio takes one of the two.
 */
export type UpdateCallOptions =
  | { readonly status: 'canceled' | 'completed' }
  | { readonly twiml: string }
  | { readonly url: string; readonly method?: 'GET' | 'POST' };

/**
 * The slice of twilio-node's `client.calls` this adapter calls (STYLE 3): create a call, and
 * fetch or update one by its sid.
 */
export interface TwilioCallsApi {
  create(options: CreateCallOptions): Promise<TwilioCall>;
  (sid: string): {
    fetch(): Promise<TwilioCall>;
    update(options: UpdateCallOptions): Promise<TwilioCall>;
  };
}

/** How long one request to Twilio may take before the call is given up. */
export const DEFAULT_TWILIO_TIMEOUT_MS = 10_000;

/**
 * twilio-node's own HTTP client, sending every request to another API host (the local Twilio
 * simulator) instead of *.twilio.com. twilio-node takes a custom `httpClient` for this.
 */
class BaseUrlRequestClient extends twilio.RequestClient {
  readonly #base: URL;

  constructor(baseUrl: string, options: ConstructorParameters<typeof twilio.RequestClient>[0]) {
    super(options);
    this.#base = new URL(baseUrl);
  }

  override request<TData>(options: Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0] & { data?: TData }) {
    const target = new URL(options.uri);
    const uri = new URL(`${this.#base.pathname.replace(/\/+$/, '')}${target.pathname}${target.search}`, this.#base.origin);
    return super.request<TData>({ ...options, uri: uri.toString() });
  }
}

export function createTwilioClient(config: TwilioConfig, options: { timeoutMs?: number } = {}): { calls: TwilioCallsApi } {
  const timeout = options.timeoutMs ?? DEFAULT_TWILIO_TIMEOUT_MS;
  const httpClient = config.apiBaseUrl ? new BaseUrlRequestClient(config.apiBaseUrl, { timeout }) : new twilio.RequestClient({ timeout });
  // An API key signs requests in place of the auth token; the account is then named apart.
  const client =
    config.apiKey && config.apiSecret
      ? twilio(config.apiKey, config.apiSecret, { accountSid: config.accountSid, httpClient, timeout })
      : twilio(config.accountSid, config.authToken, { httpClient, timeout });
  return { calls: client.calls };
}

/** What went wrong with a request to Twilio: a refusal with Twilio's code, or no answer at all. */
export function readTwilioFailure(error: unknown): TwilioFailure {
  if (error instanceof twilio.RestException) {
    return { kind: 'refused', httpStatus: error.status, twilioCode: typeof error.code === 'number' ? error.code : undefined, twilioMessage: error.message ?? '' };
  }
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const message = error instanceof Error ? error.message : String(error);
  const isTimeout = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(message);
  return { kind: 'unreachable', isTimeout, detail: code === '' || message.includes(code) ? message : `${code}: ${message}` };
}
