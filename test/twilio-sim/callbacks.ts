import { createHmac } from 'node:crypto';

/**
 * How Twilio signs a webhook (its "Webhooks security" rules), written here independently of
 * twilio-node so that the server's check with twilio-node is tested against a second reading:
 * HMAC-SHA1 with the auth token over the full URL followed by every POST parameter, sorted
 * by name, each name directly followed by its value; base64.
 */
export function signTwilioRequest(authToken: string, url: string, params: Readonly<Record<string, string>>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((text, key) => `${text}${key}${params[key] ?? ''}`, url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** Twilio's RFC 2822 timestamps, whole seconds: `Tue, 31 Aug 2010 20:36:28 +0000`. */
export function formatTwilioDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toUTCString().replace('GMT', '+0000');
}

export type CallbackKind = 'status' | 'amd' | 'recording' | 'answer' | 'dial-action' | 'gather' | 'redirect';

/** One request the simulator makes to the application. */
export interface Callback {
  readonly kind: CallbackKind;
  readonly url: string;
  readonly params: Readonly<Record<string, string>>;
  /** POST (the default) sends the parameters as a form; GET sends them in the URL's query. */
  readonly method?: 'GET' | 'POST';
}

/** What every callback says about the call it concerns. */
export interface CallIdentity {
  readonly accountSid: string;
  readonly callSid: string;
  readonly from: string;
  readonly to: string;
}

const common = (call: CallIdentity) => ({
  AccountSid: call.accountSid,
  ApiVersion: '2010-04-01',
  CallSid: call.callSid,
  Called: call.to,
  Caller: call.from,
  Direction: 'outbound-api',
  From: call.from,
  To: call.to,
});

/** A call progress callback (StatusCallback), as Twilio sends for each StatusCallbackEvent. */
export function statusCallback(
  url: string,
  call: CallIdentity,
  fields: {
    status: string;
    sequenceNumber: number;
    atMs: number;
    durationSeconds?: number;
    answeredBy?: string;
    recording?: { url: string; sid: string; durationSeconds: number };
    sipResponseCode?: string;
  },
): Callback {
  return {
    kind: 'status',
    url,
    params: {
      ...common(call),
      CallStatus: fields.status,
      CallbackSource: 'call-progress-events',
      SequenceNumber: String(fields.sequenceNumber),
      Timestamp: formatTwilioDate(fields.atMs),
      ...(fields.durationSeconds === undefined ? {} : { CallDuration: String(fields.durationSeconds), Duration: String(Math.ceil(fields.durationSeconds / 60)) }),
      ...(fields.answeredBy ? { AnsweredBy: fields.answeredBy } : {}),
      ...(fields.recording
        ? { RecordingUrl: fields.recording.url, RecordingSid: fields.recording.sid, RecordingDuration: String(fields.recording.durationSeconds) }
        : {}),
      ...(fields.sipResponseCode ? { SipResponseCode: fields.sipResponseCode } : {}),
    },
  };
}

/** The asynchronous AMD result (AsyncAmdStatusCallback). */
export function amdCallback(url: string, call: CallIdentity, answeredBy: string, detectionMs: number): Callback {
  return { kind: 'amd', url, params: { AccountSid: call.accountSid, CallSid: call.callSid, AnsweredBy: answeredBy, MachineDetectionDuration: String(detectionMs) } };
}

/** A recording's status (RecordingStatusCallback). */
export function recordingCallback(
  url: string,
  call: CallIdentity,
  recording: { url: string; sid: string; durationSeconds: number; startMs: number; source?: 'OutboundAPI' | 'DialVerb'; channels?: number },
): Callback {
  return {
    kind: 'recording',
    url,
    params: {
      AccountSid: call.accountSid,
      CallSid: call.callSid,
      RecordingSid: recording.sid,
      RecordingUrl: recording.url,
      RecordingStatus: 'completed',
      RecordingDuration: String(recording.durationSeconds),
      RecordingChannels: String(recording.channels ?? 1),
      RecordingSource: recording.source ?? 'OutboundAPI',
      RecordingStartTime: formatTwilioDate(recording.startMs),
      ErrorCode: '0',
    },
  };
}

/** The request for the TwiML of an answered call (Url). */
export function answerRequest(url: string, call: CallIdentity, status: string, answeredBy?: string): Callback {
  return { kind: 'answer', url, params: { ...common(call), CallStatus: status, ...(answeredBy ? { AnsweredBy: answeredBy } : {}) } };
}

/**
 * The request for new TwiML after a Call update with `Url`: the parameters of an answer request,
 * as a form (POST) or in the query (GET, and then Twilio signs the URL alone).
 */
export function redirectRequest(url: string, method: 'GET' | 'POST', call: CallIdentity): Callback {
  const params = { ...common(call), CallStatus: 'in-progress' };
  if (method === 'POST') return { kind: 'redirect', url, params };
  const target = new URL(url);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  return { kind: 'redirect', url: target.toString(), params: {}, method: 'GET' };
}

/** The request for the TwiML that follows a `<Dial>` (its `action`), with how the dialed leg ended. */
export function dialActionCallback(url: string, call: CallIdentity, dialCallStatus: string, dialCallSid: string): Callback {
  return {
    kind: 'dial-action',
    url,
    params: { ...common(call), CallStatus: 'in-progress', DialCallStatus: dialCallStatus, DialCallSid: dialCallSid, DialCallDuration: '0' },
  };
}

/** The keys the callee pressed during a `<Gather>` (its `action`). */
export function gatherCallback(url: string, call: CallIdentity, digits: string): Callback {
  return { kind: 'gather', url, params: { ...common(call), CallStatus: 'in-progress', Digits: digits, FinishedOnKey: '' } };
}

/** A permutation of `items` from a seed (mulberry32 + Fisher-Yates): the same seed, the same order. */
export function shuffleWithSeed<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
