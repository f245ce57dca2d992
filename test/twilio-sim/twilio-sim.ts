import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { LOCAL_TWILIO_SIMULATOR } from '../../src/telephony/twilio/local-simulator.js';
import { CALLS_SPEC, checkForm, shapeCallResource, type Form, type FormValue, type OperationFacts } from './calls-spec.js';
import { amdCallback, answerRequest, dialActionCallback, formatTwilioDate, gatherCallback, recordingCallback, redirectRequest, shuffleWithSeed, signTwilioRequest, statusCallback, type Callback, type CallIdentity } from './callbacks.js';
import { answerDelayOf, lifeOfScript, verdictOfScript, type LegScript } from './leg-scripts.js';
import { scenarioFor, type CallLife } from './scenarios.js';
import { readTwiml } from './twiml.js';

/** How long each stage of a simulated call lasts. */
export interface SimTiming {
  readonly dialMs: number;
  readonly ringMs: number;
  /** How long answering-machine detection takes after the answer. */
  readonly amdMs: number;
  /** How long the callee (person, machine or fax) stays on before hanging up. */
  readonly talkMs: number;
  /** Upper bound on ringing for the no-answer life (Twilio's Timeout still applies). */
  readonly noAnswerMs: number;
  /** How long after the call the recording is ready. */
  readonly recordingDelayMs: number;
  /** How long a `<Say>` takes before the next verb (a `<Hangup/>`) runs. */
  readonly sayMs: number;
}

/** A pace for trying the simulator by hand. */
export const HUMAN_TIMING: SimTiming = { dialMs: 500, ringMs: 3000, amdMs: 2000, talkMs: 8000, noAnswerMs: 8000, recordingDelayMs: 500, sayMs: 3000 };
/** A pace for tests: an answered call still lasts over a second, so its duration is not zero. */
export const FAST_TIMING: SimTiming = { dialMs: 20, ringMs: 60, amdMs: 40, talkMs: 1100, noAnswerMs: 150, recordingDelayMs: 20, sayMs: 30 };

/** How callbacks reach the application. */
export interface DeliveryOptions {
  /** Extra copies of each callback (Twilio may deliver one twice). */
  readonly repeat: number;
  /** Delay before each callback is sent. */
  readonly delayMs: number;
  /** Hold a call's callbacks until it ends, then send them in a seeded random order. */
  readonly shuffle: boolean;
  readonly seed: number;
  /** Callbacks for which this is true are lost. */
  readonly drop: (callback: Callback) => boolean;
}

const DEFAULT_DELIVERY: DeliveryOptions = { repeat: 0, delayMs: 0, shuffle: false, seed: 1, drop: () => false };

/** Orders of events Twilio produces now and then, which a plain simulated call does not; all off by default. */
export interface SimBehaviour {
  /**
   * The callee hangs up before asynchronous answering-machine detection decides: `completed`
   * goes out without AnsweredBy, and the AMD callback follows it (Twilio sends the two apart).
   */
  readonly verdictAfterEnd: boolean;
  /**
   * A ringing call is answered just as a cancel arrives: the cancel then finds it in progress and,
   * as Twilio documents for `Status=canceled`, leaves it up; only `completed` ends it.
   */
  readonly answerOnCancel: boolean;
  /**
   * Whether the rep's browser takes the bridge (`<Dial><Client>`); true by default. When false the
   * browser never answers: after the Dial's timeout (at most `ringMs`) Twilio requests the Dial's
   * `action` with DialCallStatus `no-answer` and plays the TwiML it gets back.
   */
  readonly repTakesCall: boolean;
  /** The keys the callee presses when TwiML gathers some (a `<Gather>`); none by default. */
  readonly calleePresses: string | undefined;
}

const DEFAULT_BEHAVIOUR: SimBehaviour = { verdictAfterEnd: false, answerOnCancel: false, repTakesCall: true, calleePresses: undefined };

export interface TwilioSimOptions {
  readonly port?: number;
  readonly host?: string;
  readonly accountSid?: string;
  readonly authToken?: string;
  readonly apiKey?: { readonly sid: string; readonly secret: string };
  /** Numbers the account may call from: its Twilio numbers and verified caller IDs. */
  readonly callerIds?: readonly string[];
  readonly timing?: Partial<SimTiming>;
  readonly delivery?: Partial<DeliveryOptions>;
  readonly behaviour?: Partial<SimBehaviour>;
  /** Told one line per API request and per callback (the command-line simulator prints them). */
  readonly log?: (line: string) => void;
  /** Scripted legs by the number called (see `TwilioSim.script`). */
  readonly scripts?: Readonly<Record<string, LegScript>>;
}

type SimStatus = 'queued' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'failed' | 'no-answer' | 'canceled';
const FINAL: readonly SimStatus[] = ['completed', 'busy', 'failed', 'no-answer', 'canceled'];

/** One TwiML document a call was given: the answer request's response, a `<Dial>` or `<Gather>` action's, or a Call update's. */
export interface GivenTwiml {
  readonly via: 'answer' | 'action' | 'update';
  readonly twiml: string;
  readonly atMs: number;
  /**
   * False when a Call update redirected the call while this document was being fetched: Twilio
   * plays the newest instructions, so this one never played.
   */
  readonly isPlayed: boolean;
}

export interface SimCall extends CallIdentity {
  readonly sid: string;
  readonly life: CallLife;
  /** The leg's script, when its number has one (TwilioSim.script); it overrides the life's timing. */
  readonly script: LegScript | undefined;
  readonly params: Form;
  status: SimStatus;
  createdMs: number;
  startMs: number | undefined;
  answerMs: number | undefined;
  endMs: number | undefined;
  answeredBy: string | undefined;
  /** The TwiML the application answered the call with. */
  twiml: string | undefined;
  /** The TwiML that followed it: what each `<Dial>` or `<Gather>` action request was answered with, in order. */
  readonly followUps: string[];
  /** Every `<Say>` text played to the callee, in order. */
  readonly said: string[];
  /** The bridged call's recording, when a `<Dial record>` that the rep answered asked for one. */
  dialRecording: { readonly statusCallback: string | undefined; readonly events: readonly string[]; readonly channels: number; readonly startMs: number } | undefined;
  /** The SendDigits played once the call was answered (an extension), if any. */
  sentDigits: string | undefined;
  /** Status updates asked for through the API, in order. */
  readonly updates: string[];
  /** Every TwiML document the call was given, in order (the answer, actions, and Call updates with `Twiml` or `Url`). */
  readonly given: GivenTwiml[];
  /** Counts the redirects by Call update: a document fetched before the latest redirect is not played. */
  redirects: number;
}

export interface ApiRequestRecord {
  /** The call created or addressed, when there is one. */
  readonly callSid: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly code: number | undefined;
  readonly params: Form;
  /** Parameters Twilio's description does not name (Twilio ignores them). */
  readonly ignored: readonly string[];
}

export interface DeliveryRecord extends Callback {
  readonly callSid: string;
  readonly signature: string;
  readonly status: number | undefined;
  readonly body: string | undefined;
  readonly error: string | undefined;
  readonly isDropped: boolean;
}

export interface TwilioSim {
  readonly url: string;
  readonly accountSid: string;
  readonly authToken: string;
  readonly fromNumber: string;
  readonly calls: ReadonlyMap<string, SimCall>;
  readonly requests: readonly ApiRequestRecord[];
  readonly deliveries: readonly DeliveryRecord[];
  setDelivery(options: Partial<DeliveryOptions>): void;
  setBehaviour(options: Partial<SimBehaviour>): void;
  /**
   * Scripts the legs to `to` from now on (a power-dial session's lines: when each answers, human
   * or machine, when detection decides, when the callee hangs up); undefined returns the number
   * to its scenario.
   */
  script(to: string, script: LegScript | undefined): void;
  /** The calls made to a number, oldest first. */
  callsTo(to: string): SimCall[];
  /**
   * Answers a ringing call now, as its callee picking up (its script's verdict and hang-up then
   * follow; unscripted, its life's). False when the call is not ringing. Tests answer several legs
   * this way at one moment, however far apart they were dialed.
   */
  pickUp(callSid: string): boolean;
  close(): Promise<void>;
}

const param = (form: Form, name: string): string | undefined => {
  const value = form[name];
  return typeof value === 'string' ? value : value?.[0];
};
const list = (form: Form, name: string): string[] => {
  const value = form[name];
  return value === undefined ? [] : (typeof value === 'string' ? [value] : [...value]).flatMap((v) => v.split(' ')).filter((v) => v !== '');
};

function readForm(text: string): Form {
  const search = new URLSearchParams(text);
  const form: Record<string, FormValue> = {};
  for (const key of new Set(search.keys())) {
    const values = search.getAll(key);
    form[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return form;
}

/** Twilio's error body. */
function twilioError(httpStatus: number, code: number, message: string): Response {
  return Response.json({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status: httpStatus }, { status: httpStatus });
}

/** Error codes for a refused parameter; codes for parameters not listed here are this simulator's choice. */
/** Twilio's description of SendDigits: "If both SendDigits and MachineDetection parameters are provided, then MachineDetection will be ignored." */
const machineDetectionOf = (call: SimCall): string | undefined => (param(call.params, 'SendDigits') === undefined ? param(call.params, 'MachineDetection') : undefined);

const PARAM_ERROR_CODES: Readonly<Record<string, number>> = { Url: 21205, FallbackUrl: 21205, StatusCallback: 21609, To: 21211, From: 21212 };

const E164 = /^\+[1-9]\d{6,14}$/;
/** SendDigits as Twilio's description of the parameter states it: keys, `w`/`W` pauses, at most 32. */
const SEND_DIGITS = /^[0-9A-D#*wW]{1,32}$/;

/**
 * A local stand-in for Twilio's Calls resource (create, fetch, update), checked against Twilio's
 * published API description, that plays each call's life by its destination number and sends
 * signed status, AMD and recording callbacks, and the answer request, to the URLs it was given.
 */
export async function startTwilioSim(options: TwilioSimOptions = {}): Promise<TwilioSim> {
  const accountSid = options.accountSid ?? LOCAL_TWILIO_SIMULATOR.accountSid;
  const authToken = options.authToken ?? LOCAL_TWILIO_SIMULATOR.authToken;
  const callerIds = options.callerIds ?? [LOCAL_TWILIO_SIMULATOR.fromNumber];
  const timing: SimTiming = { ...FAST_TIMING, ...options.timing };
  let delivery: DeliveryOptions = { ...DEFAULT_DELIVERY, ...options.delivery };
  let behaviour: SimBehaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  /** Callbacks of each call on their way to the application. */
  const inFlight = new Map<string, Set<Promise<unknown>>>();
  const calls = new Map<string, SimCall>();
  const requests: ApiRequestRecord[] = [];
  const deliveries: DeliveryRecord[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const callTimers = new Map<string, Set<NodeJS.Timeout>>();
  /** Timers of the TwiML each call is playing (a `<Say>` before `<Hangup/>`, a `<Pause>`, an action): a redirect clears them. */
  const twimlTimers = new Map<string, Set<NodeJS.Timeout>>();
  const scripts = new Map<string, LegScript>(Object.entries(options.scripts ?? {}));
  const held = new Map<string, Callback[]>();
  const stalled = new Set<() => void>();
  let isClosed = false;
  let baseUrl = '';

  const later = (ms: number, task: () => void, callSid?: string, group: Map<string, Set<NodeJS.Timeout>> = callTimers) => {
    if (isClosed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (callSid) group.get(callSid)?.delete(timer);
      task();
    }, ms);
    timers.add(timer);
    if (callSid) group.set(callSid, (group.get(callSid) ?? new Set()).add(timer));
  };
  /** A step of the TwiML the call is playing. */
  const laterInTwiml = (call: SimCall, ms: number, task: () => void) => later(ms, task, call.sid, twimlTimers);

  async function send(callSid: string, callback: Callback): Promise<string | undefined> {
    const signature = signTwilioRequest(authToken, callback.url, callback.params);
    const base = { ...callback, callSid, signature };
    const what = `${callback.kind} ${callback.params['CallStatus'] ?? callback.params['AnsweredBy'] ?? callback.params['RecordingStatus'] ?? ''}`.trim();
    if (delivery.drop(callback)) {
      deliveries.push({ ...base, status: undefined, body: undefined, error: undefined, isDropped: true });
      options.log?.(`${callSid} ${what}: dropped`);
      return undefined;
    }
    try {
      const response = await fetch(callback.url, {
        method: callback.method ?? 'POST',
        headers: { ...(callback.method === 'GET' ? {} : { 'content-type': 'application/x-www-form-urlencoded' }), 'x-twilio-signature': signature, 'user-agent': 'TwilioProxy/1.1' },
        ...(callback.method === 'GET' ? {} : { body: new URLSearchParams(callback.params).toString() }),
      });
      const body = await response.text();
      deliveries.push({ ...base, status: response.status, body, error: undefined, isDropped: false });
      options.log?.(`${callSid} ${what} -> ${callback.url}: HTTP ${response.status}`);
      return response.ok ? body : undefined;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      deliveries.push({ ...base, status: undefined, body: undefined, error: message, isDropped: false });
      options.log?.(`${callSid} ${what} -> ${callback.url}: ${message}`);
      return undefined;
    }
  }

  /** Sends a callback as the delivery options say: later, repeated, or held for shuffling. */
  function emit(call: SimCall, callback: Callback): void {
    const waiting = held.get(call.sid);
    if (waiting) {
      waiting.push(callback);
      return;
    }
    for (let copy = 0; copy <= delivery.repeat; copy++) later(delivery.delayMs, () => track(call.sid, send(call.sid, callback)));
  }

  function track(callSid: string, sending: Promise<unknown>): void {
    const sends = inFlight.get(callSid) ?? new Set();
    inFlight.set(callSid, sends.add(sending));
    void sending.finally(() => sends.delete(sending));
  }

  /** Runs `task` once the call's callbacks sent so far have been answered. */
  function afterDelivered(callSid: string, task: () => void): void {
    void Promise.allSettled([...(inFlight.get(callSid) ?? [])]).then(() => !isClosed && task());
  }

  function flush(call: SimCall): void {
    const waiting = held.get(call.sid);
    if (!waiting) return;
    held.delete(call.sid);
    const copies = waiting.flatMap((callback) => Array.from({ length: delivery.repeat + 1 }, () => callback));
    const order = shuffleWithSeed(copies, delivery.seed);
    // One after another, so the order sent is the order received.
    later(delivery.delayMs, () => void order.reduce<Promise<unknown>>((previous, callback) => previous.then(() => send(call.sid, callback)), Promise.resolve()));
  }

  const statusEvents = (call: SimCall) => {
    const events = list(call.params, 'StatusCallbackEvent');
    return events.length > 0 ? events : ['completed'];
  };
  let sequence = new Map<string, number>();

  function emitStatus(call: SimCall, event: 'initiated' | 'ringing' | 'answered' | 'completed', status: string, extra: Omit<Parameters<typeof statusCallback>[2], 'status' | 'sequenceNumber' | 'atMs'> = {}): void {
    const url = param(call.params, 'StatusCallback');
    if (!url || !statusEvents(call).includes(event)) return;
    const sequenceNumber = sequence.get(call.sid) ?? 0;
    sequence.set(call.sid, sequenceNumber + 1);
    emit(call, statusCallback(url, call, { status, sequenceNumber, atMs: Date.now(), ...extra }));
  }

  function ring(call: SimCall): void {
    call.status = 'ringing';
    emitStatus(call, 'ringing', 'ringing');
    const timeoutMs = (Number(param(call.params, 'Timeout') ?? 60) || 60) * 1000;
    if (call.script) {
      const answerAfterMs = answerDelayOf(call.script, Date.now());
      if (answerAfterMs !== undefined && answerAfterMs < timeoutMs) return later(answerAfterMs, () => answer(call), call.sid);
      return later(timeoutMs, () => end(call, 'no-answer'), call.sid);
    }
    switch (call.life) {
      case 'no-answer':
        return later(Math.min(timeoutMs, timing.noAnswerMs), () => end(call, 'no-answer'), call.sid);
      case 'rings-on':
        return later(timeoutMs, () => end(call, 'no-answer'), call.sid);
      case 'human':
      case 'human-stays':
      case 'machine':
      case 'fax':
        return later(timing.ringMs, () => answer(call), call.sid);
      case 'busy':
      case 'failed':
        throw new Error(`a ${call.life} call does not ring`);
      default: {
        const unreachable: never = call.life;
        throw new Error(`unknown life ${String(unreachable)}`);
      }
    }
  }

  function verdictOf(call: SimCall): string {
    if (call.script) return verdictOfScript(call.script, machineDetectionOf(call));
    if (call.life === 'fax') return 'fax';
    if (call.life === 'machine') return machineDetectionOf(call) === 'DetectMessageEnd' ? 'machine_end_beep' : 'machine_start';
    return 'human';
  }

  async function requestTwiml(call: SimCall): Promise<void> {
    const url = param(call.params, 'Url');
    if (!url) return;
    const isSyncAmd = machineDetectionOf(call) !== undefined && param(call.params, 'AsyncAmd') !== 'true';
    const redirects = call.redirects;
    call.twiml = await send(call.sid, answerRequest(url, call, 'in-progress', isSyncAmd ? call.answeredBy : undefined));
    if (give(call, 'answer', call.twiml, redirects)) play(call, call.twiml);
  }

  /** Keeps a document the call was given; true when it is to be played (no redirect came while it was fetched). */
  function give(call: SimCall, via: GivenTwiml['via'], twiml: string | undefined, redirectsBefore: number): boolean {
    if (twiml === undefined) return false;
    const isPlayed = call.redirects === redirectsBefore;
    call.given.push({ via, twiml, atMs: Date.now(), isPlayed });
    return isPlayed;
  }

  /**
   * A Call update with `Twiml` or `Url`: the call leaves what it was playing (its pending steps
   * are dropped; a `<Dial>` under way ends) and plays the new instructions; `Url` is fetched with
   * `Method` (POST by default) as Twilio fetches the answer URL.
   */
  function redirect(call: SimCall, to: { readonly twiml: string } | { readonly url: string; readonly method: 'GET' | 'POST' }): void {
    clearTimers(call.sid, twimlTimers);
    call.redirects += 1;
    const redirects = call.redirects;
    if ('twiml' in to) {
      if (give(call, 'update', to.twiml, redirects)) play(call, to.twiml);
      return;
    }
    void send(call.sid, redirectRequest(to.url, to.method, call)).then((twiml) => {
      if (!FINAL.includes(call.status) && give(call, 'update', twiml, redirects)) play(call, twiml);
    });
  }

  /**
   * Plays the TwiML of an answered call as far as this simulator needs: the `<Say>` texts, a
   * `<Dial>` to the rep's browser (taken, possibly recorded; or not, and then its `action`), and
   * a `<Hangup/>` after what was said. A `<Dial>` to a number is taken.
   */
  function play(call: SimCall, twiml: string | undefined): void {
    if (twiml === undefined || FINAL.includes(call.status)) return;
    const document = readTwiml(twiml);
    call.said.push(...document.says);
    const { dial } = document;
    if (dial) {
      const action = dial.attributes['action'];
      if (dial.clients.length > 0 && !behaviour.repTakesCall) {
        const timeoutMs = (Number(dial.attributes['timeout'] ?? 30) || 30) * 1000;
        // Without an action, Twilio goes on to the next verb; there is none, so the call ends.
        if (action) laterInTwiml(call, Math.min(timeoutMs, timing.ringMs), () => void followDialAction(call, action));
        else laterInTwiml(call, Math.min(timeoutMs, timing.ringMs), () => end(call, 'completed'));
        return;
      }
      const record = dial.attributes['record'] ?? '';
      if (/^(true|record-from-answer|record-from-ringing)/.test(record)) {
        const events = (dial.attributes['recordingStatusCallbackEvent'] ?? '').split(/[\s,]+/).filter((event) => event !== '');
        call.dialRecording = { statusCallback: dial.attributes['recordingStatusCallback'], events, channels: record.endsWith('-dual') ? 2 : 1, startMs: Date.now() };
      }
      return;
    }
    const gatherAction = document.gather?.attributes['action'];
    if (gatherAction && behaviour.calleePresses !== undefined) {
      const digits = behaviour.calleePresses;
      laterInTwiml(call, timing.sayMs, () => void followAction(call, gatherCallback(gatherAction, call, digits)));
      return;
    }
    // What it says and its pauses play out; then the call hangs up (a document that only pauses
    // runs out, which ends the call too). A document with nothing to play leaves the call as it is.
    const playMs = (document.says.length > 0 ? timing.sayMs : 0) + document.pauseSeconds * 1000;
    if (document.hangsUp || document.pauseSeconds > 0) laterInTwiml(call, playMs, () => end(call, 'completed'));
  }

  /** The rep's browser did not take the bridge: Twilio asks the Dial's action what to do next. */
  function followDialAction(call: SimCall, url: string): Promise<void> {
    return followAction(call, dialActionCallback(url, call, 'no-answer', `CA${randomBytes(16).toString('hex')}`));
  }

  /** Requests the TwiML that comes next (a Dial's or a Gather's action) and plays it. */
  async function followAction(call: SimCall, callback: Callback): Promise<void> {
    if (FINAL.includes(call.status)) return;
    const redirects = call.redirects;
    const next = await send(call.sid, callback);
    if (next === undefined) return;
    call.followUps.push(next);
    if (give(call, 'action', next, redirects)) play(call, next);
  }

  const isAsyncAmd = (call: SimCall) => machineDetectionOf(call) !== undefined && param(call.params, 'AsyncAmd') === 'true';

  function clearTimers(callSid: string, group: Map<string, Set<NodeJS.Timeout>>): void {
    for (const timer of group.get(callSid) ?? []) {
      clearTimeout(timer);
      timers.delete(timer);
    }
    group.delete(callSid);
  }

  function clearCallTimers(call: SimCall): void {
    clearTimers(call.sid, callTimers);
    clearTimers(call.sid, twimlTimers);
  }

  function answer(call: SimCall): void {
    if (call.status !== 'ringing') return;
    // The ringing's own timers (no answer, an answer later) are over.
    clearCallTimers(call);
    call.status = 'in-progress';
    call.answerMs = Date.now();
    emitStatus(call, 'answered', 'in-progress');
    call.sentDigits = param(call.params, 'SendDigits');
    const machineDetection = machineDetectionOf(call);
    // The verdict comes after the end (see `end`).
    if (behaviour.verdictAfterEnd && isAsyncAmd(call)) void requestTwiml(call);
    else if (machineDetection) {
      later(
        call.script?.verdictAfterMs ?? timing.amdMs,
        () => {
          call.answeredBy = verdictOf(call);
          const amdUrl = param(call.params, 'AsyncAmdStatusCallback');
          if (param(call.params, 'AsyncAmd') === 'true' && amdUrl) emit(call, amdCallback(amdUrl, call, call.answeredBy, timing.amdMs));
          else void requestTwiml(call);
        },
        call.sid,
      );
      if (param(call.params, 'AsyncAmd') === 'true') void requestTwiml(call);
    } else void requestTwiml(call);
    const talkMs = call.script ? call.script.hangUpAfterMs : call.life === 'human-stays' ? undefined : timing.talkMs;
    if (talkMs !== undefined) later(talkMs, () => end(call, 'completed'), call.sid);
  }

  function end(call: SimCall, status: SimStatus, sipResponseCode?: string): void {
    if (FINAL.includes(call.status)) return;
    clearCallTimers(call);
    call.status = status;
    call.endMs = Date.now();
    const durationSeconds = durationOf(call);
    const isRecorded = /^true$/i.test(param(call.params, 'Record') ?? '') && call.answerMs !== undefined;
    const recordingSid = `RE${randomBytes(16).toString('hex')}`;
    const recording = { url: `${baseUrl}/2010-04-01/Accounts/${accountSid}/Recordings/${recordingSid}`, sid: recordingSid, durationSeconds };
    emitStatus(call, 'completed', status, {
      durationSeconds,
      ...(call.answeredBy ? { answeredBy: call.answeredBy } : {}),
      ...(isRecorded ? { recording } : {}),
      ...(sipResponseCode ? { sipResponseCode } : {}),
    });
    const amdUrl = param(call.params, 'AsyncAmdStatusCallback');
    if (behaviour.verdictAfterEnd && isAsyncAmd(call) && call.answerMs !== undefined && call.answeredBy === undefined && amdUrl) {
      // Detection finishes on what it heard; its callback follows the completed one.
      call.answeredBy = verdictOf(call);
      const verdict = amdCallback(amdUrl, call, call.answeredBy, timing.amdMs);
      if (held.has(call.sid)) emit(call, verdict);
      else later(delivery.delayMs + timing.amdMs, () => afterDelivered(call.sid, () => emit(call, verdict)));
    }
    const dialRecording = call.dialRecording;
    if (dialRecording?.statusCallback && call.answerMs !== undefined && (dialRecording.events.length === 0 || dialRecording.events.includes('completed'))) {
      const sid = `RE${randomBytes(16).toString('hex')}`;
      const bridged = Math.max(0, Math.floor((call.endMs ?? dialRecording.startMs) / 1000) - Math.floor(dialRecording.startMs / 1000));
      const callback = recordingCallback(dialRecording.statusCallback, call, {
        url: `${baseUrl}/2010-04-01/Accounts/${accountSid}/Recordings/${sid}`,
        sid,
        durationSeconds: bridged,
        startMs: dialRecording.startMs,
        source: 'DialVerb',
        channels: dialRecording.channels,
      });
      if (held.has(call.sid)) emit(call, callback);
      else later(timing.recordingDelayMs, () => emit(call, callback));
    }
    const recordingUrl = param(call.params, 'RecordingStatusCallback');
    const recordingEvents = list(call.params, 'RecordingStatusCallbackEvent');
    if (isRecorded && recordingUrl && (recordingEvents.length === 0 || recordingEvents.includes('completed'))) {
      const callback = recordingCallback(recordingUrl, call, { ...recording, startMs: call.answerMs ?? call.endMs });
      if (held.has(call.sid)) emit(call, callback);
      else later(timing.recordingDelayMs, () => emit(call, callback));
    }
    flush(call);
  }

  /** Whole seconds from answer to hang-up, as the difference of the whole-second timestamps. */
  const durationOf = (call: SimCall) =>
    call.answerMs === undefined || call.endMs === undefined ? 0 : Math.floor(call.endMs / 1000) - Math.floor(call.answerMs / 1000);

  function startLife(call: SimCall): void {
    call.startMs = Date.now();
    emitStatus(call, 'initiated', 'initiated');
    switch (call.life) {
      case 'busy':
        return later(timing.dialMs, () => end(call, 'busy'), call.sid);
      case 'failed':
        return later(timing.dialMs, () => end(call, 'failed', '503'), call.sid);
      case 'human':
      case 'human-stays':
      case 'machine':
      case 'fax':
      case 'no-answer':
      case 'rings-on':
        return later(timing.dialMs, () => ring(call), call.sid);
      default: {
        const unreachable: never = call.life;
        throw new Error(`unknown life ${String(unreachable)}`);
      }
    }
  }

  function resource(call: SimCall): Record<string, unknown> {
    const at = (ms: number | undefined) => (ms === undefined ? null : formatTwilioDate(ms));
    const uri = `/2010-04-01/Accounts/${accountSid}/Calls/${call.sid}`;
    return shapeCallResource({
      sid: call.sid,
      account_sid: accountSid,
      date_created: at(call.createdMs),
      date_updated: at(call.endMs ?? call.answerMs ?? call.startMs ?? call.createdMs),
      to: call.to,
      to_formatted: call.to,
      from: call.from,
      from_formatted: call.from,
      status: call.status,
      start_time: at(call.startMs),
      end_time: at(call.endMs),
      duration: FINAL.includes(call.status) ? String(durationOf(call)) : null,
      price_unit: 'USD',
      direction: 'outbound-api',
      answered_by: call.answeredBy ?? null,
      api_version: '2010-04-01',
      queue_time: '0',
      uri: `${uri}.json`,
      subresource_uris: { recordings: `${uri}/Recordings.json`, notifications: `${uri}/Notifications.json`, events: `${uri}/Events.json` },
    });
  }

  // --- The REST API -----------------------------------------------------------------------
  const app = new Hono();

  const record = (c: Context, response: Response, form: Form, ignored: readonly string[] = [], callSid?: string) => {
    const code = response.ok ? Promise.resolve(undefined) : response.clone().json().then((body: { code?: number }) => body.code);
    return code.then((resolved) => {
      const path = new URL(c.req.url).pathname;
      requests.push({ callSid, method: c.req.method, path, status: response.status, code: resolved, params: form, ignored });
      options.log?.(`${c.req.method} ${path}: HTTP ${response.status}${resolved ? ` (Twilio error ${resolved})` : ''}`);
      return response;
    });
  };

  function authorize(c: Context): Response | undefined {
    const header = c.req.header('authorization') ?? '';
    const match = /^Basic\s+(\S+)$/i.exec(header);
    const [user, ...rest] = match ? Buffer.from(match[1] ?? '', 'base64').toString('utf8').split(':') : [];
    const password = rest.join(':');
    const isAccount = user === accountSid && password === authToken;
    const isApiKey = options.apiKey !== undefined && user === options.apiKey.sid && password === options.apiKey.secret;
    if (!isAccount && !isApiKey) return twilioError(401, 20003, 'Authenticate');
    if (c.req.param('account') !== accountSid) return twilioError(401, 20003, 'Authenticate');
    return undefined;
  }

  function refuseParams(operation: OperationFacts, form: Form): { refusal: Response | undefined; ignored: string[] } {
    const { problem, unknown } = checkForm(operation, form);
    if (!problem) return { refusal: undefined, ignored: unknown };
    return { refusal: twilioError(400, PARAM_ERROR_CODES[problem.param] ?? 20001, problem.message), ignored: unknown };
  }

  app.post('/2010-04-01/Accounts/:account/Calls.json', async (c) => {
    const form = readForm(await c.req.text());
    const refusal = authorize(c);
    if (refusal) return record(c, refusal, form);
    const operation = CALLS_SPEC.operations.createCall;
    const to = param(form, 'To');
    const from = param(form, 'From');
    if (!to) return record(c, twilioError(400, 21201, "No 'To' number is specified"), form);
    if (!from) return record(c, twilioError(400, 21213, "No 'From' number is specified"), form);
    if (!param(form, 'Url') && !param(form, 'Twiml') && !param(form, 'ApplicationSid')) return record(c, twilioError(400, 21205, 'Url parameter is required.'), form);
    const { refusal: badParam, ignored } = refuseParams(operation, form);
    if (badParam) return record(c, badParam, form, ignored);
    const sendDigits = param(form, 'SendDigits');
    if (sendDigits !== undefined && !SEND_DIGITS.test(sendDigits)) return record(c, twilioError(400, 20001, `SendDigits may hold 0-9, A-D, #, * and w or W pauses, at most 32: "${sendDigits}".`), form, ignored);
    if (!E164.test(to) && !/^(client|sip):/.test(to)) return record(c, twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`), form, ignored);
    if (!E164.test(from)) return record(c, twilioError(400, 21212, `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`), form, ignored);
    if (!callerIds.includes(from)) {
      return record(
        c,
        twilioError(400, 21210, `The source phone number provided, ${from}, is not yet verified for your account. You may only make calls from phone numbers that you've verified or purchased from Twilio.`),
        form,
        ignored,
      );
    }
    const script = scripts.get(to);
    const scenario = script ? ({ kind: 'life', life: lifeOfScript(script) } as const) : scenarioFor(to);
    if (scenario.kind === 'refuse') return record(c, twilioError(scenario.httpStatus, scenario.code, scenario.message(to)), form, ignored);
    if (scenario.kind === 'stall') {
      await new Promise<void>((resolve) => stalled.add(resolve));
      return record(c, twilioError(503, 20500, 'The simulator was stopped.'), form, ignored);
    }
    const sid = `CA${randomBytes(16).toString('hex')}`;
    const call: SimCall = {
      sid,
      callSid: sid,
      accountSid,
      to,
      from,
      life: scenario.life,
      script,
      params: form,
      status: 'queued',
      createdMs: Date.now(),
      startMs: undefined,
      answerMs: undefined,
      endMs: undefined,
      answeredBy: undefined,
      twiml: undefined,
      followUps: [],
      said: [],
      dialRecording: undefined,
      sentDigits: undefined,
      updates: [],
      given: [],
      redirects: 0,
    };
    calls.set(sid, call);
    if (delivery.shuffle) held.set(sid, []);
    // Twilio queues the call and answers at once; the call's life starts right after.
    later(0, () => startLife(call));
    return record(c, Response.json(resource(call), { status: operation.responseStatus }), form, ignored, sid);
  });

  const callOf = (c: Context) => {
    const sid = (c.req.param('file') ?? '').replace(/\.json$/, '');
    return { sid, call: calls.get(sid) };
  };
  const notFound = (c: Context, sid: string) => twilioError(404, 20404, `The requested resource /2010-04-01/Accounts/${c.req.param('account')}/Calls/${sid}.json was not found`);

  app.get('/2010-04-01/Accounts/:account/Calls/:file', async (c) => {
    const refusal = authorize(c);
    if (refusal) return record(c, refusal, {});
    const { sid, call } = callOf(c);
    if (!call) return record(c, notFound(c, sid), {}, [], sid);
    return record(c, Response.json(resource(call), { status: CALLS_SPEC.operations.fetchCall.responseStatus }), {}, [], sid);
  });

  app.post('/2010-04-01/Accounts/:account/Calls/:file', async (c) => {
    const form = readForm(await c.req.text());
    const refusal = authorize(c);
    if (refusal) return record(c, refusal, form);
    const { sid, call } = callOf(c);
    if (!call) return record(c, notFound(c, sid), form, [], sid);
    const { refusal: badParam, ignored } = refuseParams(CALLS_SPEC.operations.updateCall, form);
    if (badParam) return record(c, badParam, form, ignored, sid);
    const status = param(form, 'Status');
    const twiml = param(form, 'Twiml');
    const url = param(form, 'Url');
    // Twilio's description: "Twiml and url parameters are mutually exclusive" (the code is this simulator's choice).
    if (twiml !== undefined && url !== undefined) return record(c, twilioError(400, 20001, 'Twiml and Url are mutually exclusive: give one.'), form, ignored, sid);
    if (FINAL.includes(call.status)) return record(c, twilioError(400, 21220, 'Call is not in-progress. Cannot redirect.'), form, ignored, sid);
    // A redirect needs a call that is up: one still queued or ringing is refused as Twilio refuses it.
    if (!status && (twiml !== undefined || url !== undefined)) {
      if (call.status !== 'in-progress') return record(c, twilioError(400, 21220, 'Call is not in-progress. Cannot redirect.'), form, ignored, sid);
      if (twiml !== undefined && !/^\s*(<\?xml[^>]*\?>\s*)?<Response[\s>/]/.test(twiml)) return record(c, twilioError(400, 20001, 'Twiml is not a TwiML document (<Response>).'), form, ignored, sid);
      redirect(call, twiml !== undefined ? { twiml } : { url: url ?? '', method: param(form, 'Method')?.toUpperCase() === 'GET' ? 'GET' : 'POST' });
    }
    if (status) call.updates.push(status);
    if (status === 'canceled' && behaviour.answerOnCancel && call.status === 'ringing') {
      options.log?.(`${call.sid} answered just as the cancel came`);
      answer(call);
    }
    // canceled stops a call that has not been answered and leaves an answered one alone;
    // completed ends it either way.
    if (status === 'canceled' && call.status !== 'in-progress') end(call, 'canceled');
    if (status === 'completed') end(call, call.status === 'in-progress' ? 'completed' : 'canceled');
    return record(c, Response.json(resource(call), { status: CALLS_SPEC.operations.updateCall.responseStatus }), form, ignored, sid);
  });

  app.notFound((c) => twilioError(404, 20404, `The requested resource ${new URL(c.req.url).pathname} was not found`));

  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: options.host ?? '127.0.0.1' }, () => resolve(s as Server));
  });
  baseUrl = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    accountSid,
    authToken,
    fromNumber: callerIds[0] ?? LOCAL_TWILIO_SIMULATOR.fromNumber,
    calls,
    requests,
    deliveries,
    setDelivery(next) {
      delivery = { ...delivery, ...next };
    },
    setBehaviour(next) {
      behaviour = { ...behaviour, ...next };
    },
    script(to, script) {
      if (script) scripts.set(to, script);
      else scripts.delete(to);
    },
    pickUp(callSid) {
      const call = calls.get(callSid);
      if (call?.status !== 'ringing') return false;
      answer(call);
      return true;
    },
    callsTo(to) {
      return [...calls.values()].filter((call) => call.to === to).sort((a, b) => a.createdMs - b.createdMs);
    },
    async close() {
      isClosed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const release of stalled) release();
      sequence = new Map();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
