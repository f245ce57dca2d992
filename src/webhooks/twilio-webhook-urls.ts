/** Where Twilio reaches us: the webhook routes, all under one prefix (not behind the API key). */
export const TWILIO_WEBHOOK_PREFIX = '/webhooks/twilio';

export const TWILIO_WEBHOOKS = {
  /** Call progress: initiated, ringing, answered, completed. */
  status: 'status',
  /** Asynchronous answering-machine detection result. */
  amd: 'amd',
  /** Recording status. */
  recording: 'recording',
  /** The TwiML that bridges an answered call to the rep. */
  answer: 'answer',
  /** Where the bridge goes after the rep's browser did not take the call. */
  dialResult: 'dial-result',
  /** The key an abandoned callee pressed during the safe-harbor message (do-not-call request). */
  optOut: 'opt-out',
} as const;
export type TwilioWebhook = keyof typeof TWILIO_WEBHOOKS;

/**
 * The absolute URL Twilio is given for one call's webhook. Our call id rides in the query, so a
 * callback that arrives before Twilio's CallSid has been stored still finds its row; Twilio
 * signs the whole URL, query included, so it cannot be altered.
 */
export function twilioWebhookUrl(baseUrl: string, webhook: TwilioWebhook, callId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${TWILIO_WEBHOOK_PREFIX}/${TWILIO_WEBHOOKS[webhook]}?callId=${encodeURIComponent(callId)}`;
}
