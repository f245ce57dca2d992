import { Hono, type Context } from 'hono';
import { loggerFor } from '../request-logger.js';
import { handleAmdCallback } from './twilio-amd.js';
import { handleAnswer, handleDialResult, handleOptOut } from './twilio-answer.js';
import { handleRecordingCallback } from './twilio-recording.js';
import { readSignedWebhook, type SignedWebhook } from './twilio-signature.js';
import { handleStatusCallback } from './twilio-status.js';
import { TWILIO_WEBHOOKS, type TwilioWebhook } from './twilio-webhook-urls.js';
import type { TwilioWebhookDeps, WebhookOutcome } from './webhook-call.js';

export type { TwilioWebhookDeps } from './webhook-call.js';

/**
 * Twilio's webhooks, mounted at TWILIO_WEBHOOK_PREFIX. Each request's X-Twilio-Signature is
 * checked first; a missing or wrong one gets 403 and nothing is written (WH1). Handlers do a
 * few queries and answer at once, well inside Twilio's 15-second limit; calls to Twilio they
 * cause run after the answer.
 */
export function createTwilioWebhookRoutes(deps: TwilioWebhookDeps): Hono {
  const routes = new Hono();
  type Handle = (deps: TwilioWebhookDeps, webhook: SignedWebhook, request: Request, noteDuplicate: () => void) => Promise<Response>;
  const signed = (event: TwilioWebhook, handle: Handle) => async (c: Context) => {
    const startedAt = performance.now();
    // Each request's lines carry its reqId, down to the handler's database work.
    const requestDeps = { ...deps, logger: loggerFor(deps.logger, c) };
    let outcome: WebhookOutcome = 'failed';
    try {
      const webhook = await readSignedWebhook(c.req.raw, deps);
      if (!webhook) {
        outcome = 'refused';
        requestDeps.logger.warn({ path: new URL(c.req.raw.url).pathname }, 'refused a webhook without a valid Twilio signature');
        return new Response('Forbidden: invalid or missing X-Twilio-Signature.', { status: 403 });
      }
      let isDuplicate = false;
      const response = await handle(requestDeps, webhook, c.req.raw, () => (isDuplicate = true));
      outcome = isDuplicate ? 'duplicate' : 'accepted';
      return response;
    } finally {
      deps.metrics?.observeWebhook(TWILIO_WEBHOOKS[event], outcome, (performance.now() - startedAt) / 1000);
    }
  };
  routes.post(`/${TWILIO_WEBHOOKS.status}`, signed('status', (d, webhook, _request, noteDuplicate) => handleStatusCallback(d, webhook, noteDuplicate)));
  routes.post(`/${TWILIO_WEBHOOKS.amd}`, signed('amd', (d, webhook) => handleAmdCallback(d, webhook)));
  routes.post(`/${TWILIO_WEBHOOKS.recording}`, signed('recording', (d, webhook) => handleRecordingCallback(d, webhook)));
  routes.post(`/${TWILIO_WEBHOOKS.answer}`, signed('answer', (d, webhook, request) => handleAnswer(d, webhook, request)));
  routes.post(`/${TWILIO_WEBHOOKS.dialResult}`, signed('dialResult', (d, webhook, request) => handleDialResult(d, webhook, request)));
  routes.post(`/${TWILIO_WEBHOOKS.optOut}`, signed('optOut', (d, webhook) => handleOptOut(d, webhook)));
  return routes;
}
