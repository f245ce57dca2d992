import type { AppError, ErrorCode } from './errors.js';

/**
 * Twilio's refusals that a rep or an administrator can act on, by Twilio error code, with what
 * we tell them. Every other refusal is `twilio_error`, still with Twilio's code and words.
 */
export const TWILIO_REFUSALS = {
  21211: { code: 'twilio_invalid_number', reason: 'Twilio says this is not a valid phone number.' },
  21214: { code: 'twilio_invalid_number', reason: 'Twilio cannot reach this phone number.' },
  13224: { code: 'twilio_invalid_number', reason: 'Twilio does not support calling this number, or the number is invalid.' },
  21215: {
    code: 'twilio_geo_permission',
    reason: 'The Twilio account is not permitted to call this country or region: an administrator can allow it in Twilio’s Voice Geographic Permissions.',
  },
  21210: {
    code: 'twilio_caller_id_unverified',
    reason: 'The caller ID is not a Twilio number or a verified caller ID of the Twilio account: change it in Settings or verify it in Twilio.',
  },
  20003: { code: 'twilio_auth_failed', reason: 'Twilio refused this server’s credentials: an administrator must check TWILIO_ACCOUNT_SID and the auth token or API key.' },
  20429: { code: 'twilio_rate_limited', reason: 'Twilio is limiting how fast calls are placed: wait a moment and call again.' },
} as const satisfies Record<number, { code: ErrorCode; reason: string }>;

export type TwilioRefusalCode = keyof typeof TWILIO_REFUSALS;

/** Why a request to Twilio did not succeed. */
export type TwilioFailure =
  | { readonly kind: 'refused'; readonly httpStatus: number; readonly twilioCode: number | undefined; readonly twilioMessage: string }
  | { readonly kind: 'unreachable'; readonly isTimeout: boolean; readonly detail: string };

export function isTwilioRefusalCode(code: number | undefined): code is TwilioRefusalCode {
  return code !== undefined && Object.hasOwn(TWILIO_REFUSALS, code);
}

/**
 * The error for the caller and the `last_error` for the row, from a failed call to Twilio.
 * Twilio's code is kept in both, so a rep can quote it and an administrator can look it up.
 */
export function describeTwilioFailure(failure: TwilioFailure): { error: AppError; lastError: string } {
  switch (failure.kind) {
    case 'refused': {
      const twilioWords = failure.twilioMessage.trim() === '' ? '' : `: ${failure.twilioMessage.trim()}`;
      const cited = failure.twilioCode === undefined ? `Twilio answered HTTP ${failure.httpStatus}${twilioWords}` : `Twilio error ${failure.twilioCode}${twilioWords}`;
      if (isTwilioRefusalCode(failure.twilioCode)) {
        const refusal = TWILIO_REFUSALS[failure.twilioCode];
        const message = `${refusal.reason} (${cited})`;
        return { error: { code: refusal.code, message }, lastError: message };
      }
      const message = `Twilio refused the call (${cited}).`;
      return { error: { code: 'twilio_error', message }, lastError: message };
    }
    case 'unreachable': {
      const message = failure.isTimeout
        ? `Twilio did not answer in time, so the call was given up (${failure.detail}).`
        : `Could not reach Twilio, so the call was not placed (${failure.detail}).`;
      return { error: { code: 'twilio_unreachable', message }, lastError: message };
    }
    default: {
      const unreachable: never = failure;
      throw new Error(`unknown Twilio failure ${JSON.stringify(unreachable)}`);
    }
  }
}
