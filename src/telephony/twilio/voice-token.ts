import twilio from 'twilio';
import type { TwilioConfig } from '../../config.js';

/** How long a browser's Voice token lives; the browser asks for a new one before it runs out. */
export const VOICE_TOKEN_TTL_SECONDS = 3600;

export interface VoiceToken {
  readonly token: string;
  readonly identity: string;
  readonly expiresInSeconds: number;
}

export interface VoiceTokenIssuer {
  issue(identity: string): VoiceToken;
}

/** The Twilio Client identity of a rep: the answer TwiML dials it, the token grants it. */
export function clientIdentityFor(userId: string): string {
  return `rep-${userId}`;
}

/**
 * Issues Voice access tokens (an AccessToken with a VoiceGrant) so the rep's browser, through
 * @twilio/voice-sdk, can take the calls our answer TwiML bridges to it. Twilio signs these
 * with an API key, so without TWILIO_API_KEY and TWILIO_API_SECRET there is no issuer.
 */
export function createVoiceTokenIssuer(config: TwilioConfig): VoiceTokenIssuer | undefined {
  const { apiKey, apiSecret } = config;
  if (!apiKey || !apiSecret) return undefined;
  return {
    issue(identity) {
      const token = new twilio.jwt.AccessToken(config.accountSid, apiKey, apiSecret, { identity, ttl: VOICE_TOKEN_TTL_SECONDS });
      token.addGrant(new twilio.jwt.AccessToken.VoiceGrant({ incomingAllow: true }));
      return { token: token.toJwt(), identity, expiresInSeconds: VOICE_TOKEN_TTL_SECONDS };
    },
  };
}
