import twilio from 'twilio';

/** A webhook whose X-Twilio-Signature checked out, with its form parameters. */
export interface SignedWebhook {
  readonly params: Readonly<Record<string, string>>;
  /** Our call id from the webhook URL's query, when it has one. */
  readonly callId: string | undefined;
}

export interface SignatureCheck {
  /** Twilio signs every webhook with the account's auth token. */
  readonly authToken: string;
  /** PUBLIC_URL, the address Twilio was given; undefined means the address the request came in on. */
  readonly publicUrl: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The URL Twilio signed: PUBLIC_URL with the request's own path and query, exactly as sent. */
export function signedUrlOf(request: Request, publicUrl: string | undefined): string {
  if (!publicUrl) return request.url;
  const { origin } = new URL(request.url);
  return `${publicUrl.replace(/\/+$/, '')}${request.url.slice(origin.length)}`;
}

/**
 * Reads a Twilio webhook and checks its signature with twilio-node's `validateRequest` (WH1).
 * Undefined when the signature is missing or wrong: the caller answers 403 and writes nothing.
 */
export async function readSignedWebhook(request: Request, check: SignatureCheck): Promise<SignedWebhook | undefined> {
  const signature = request.headers.get('x-twilio-signature');
  if (!signature || check.authToken === '') return undefined;
  const form = new URLSearchParams(await request.text());
  const signedParams: Record<string, string | string[]> = {};
  for (const key of new Set(form.keys())) {
    const values = form.getAll(key);
    signedParams[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  if (!twilio.validateRequest(check.authToken, signature, signedUrlOf(request, check.publicUrl), signedParams)) return undefined;
  const params = Object.fromEntries([...new Set(form.keys())].map((key) => [key, form.get(key) ?? '']));
  const callId = new URL(request.url).searchParams.get('callId') ?? undefined;
  return { params, callId: callId && UUID.test(callId) ? callId : undefined };
}
