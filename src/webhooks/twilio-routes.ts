import { Hono } from 'hono';
import { handleAmdCallback } from './twilio-amd.js';
import { handleAnswer, handleDialResult } from './twilio-answer.js';
import { handleRecordingCallback } from './twilio-recording.js';
import { readSignedWebhook, type SignedWebhook } from './twilio-signature.js';
import { handleStatusCallback } from './twilio-status.js';
import { TWILIO_WEBHOOKS } from './twilio-webhook-urls.js';
import type { TwilioWebhookDeps } from './webhook-call.js';

export type { TwilioWebhookDeps } from './webhook-call.js';

/**
 * Twilio's webhooks, mounted at TWILIO_WEBHOOK_PREFIX. Each request's X-Twilio-Signature is
 * checked first; a missing or wrong one gets 403 and nothing is written (WH1). Handlers do a
 * few queries and answer at once, well inside Twilio's 15-second limit; calls to Twilio they
 * cause run after the answer.
 */
export function createTwilioWebhookRoutes(deps: TwilioWebhookDeps): Hono {
  const routes = new Hono();
  const signed = (handle: (webhook: SignedWebhook, request: Request) => Promise<Response>) => async (c: { req: { raw: Request } }) => {
    const webhook = await readSignedWebhook(c.req.raw, deps);
    if (!webhook) {
      deps.logger.warn({ path: new URL(c.req.raw.url).pathname }, 'refused a webhook without a valid Twilio signature');
      return new Response('Forbidden: invalid or missing X-Twilio-Signature.', { status: 403 });
    }
    return handle(webhook, c.req.raw);
  };
  routes.post(`/${TWILIO_WEBHOOKS.status}`, signed((webhook) => handleStatusCallback(deps, webhook)));
  routes.post(`/${TWILIO_WEBHOOKS.amd}`, signed((webhook) => handleAmdCallback(deps, webhook)));
  routes.post(`/${TWILIO_WEBHOOKS.recording}`, signed((webhook) => handleRecordingCallback(deps, webhook)));
  routes.post(`/${TWILIO_WEBHOOKS.answer}`, signed((webhook, request) => handleAnswer(deps, webhook, request)));
  routes.post(`/${TWILIO_WEBHOOKS.dialResult}`, signed((webhook) => handleDialResult(deps, webhook)));
  return routes;
}
