import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertActiveCall, type ActiveCallRow } from '../src/db/active-calls.js';
import type { Database } from '../src/db/database.js';
import { twilioWebhookUrl, type TwilioWebhook } from '../src/webhooks/twilio-webhook-urls.js';
import { signTwilioRequest, statusCallback, type Callback, type CallIdentity } from './twilio-sim/callbacks.js';
import { amdCallback } from './twilio-sim/callbacks.js';
import { ANSWERED_OUTCOMES, SCRIPTED_OUTCOMES, scriptCallbacks, type ScriptedOutcome } from './twilio-sim/outcome-scripts.js';
import { addMember } from './support/members.js';
import { insertLead } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { readCall, startProductionStack, twilioLogsOf, type ProductionStack } from './support/twilio.js';

/** Posts a webhook as Twilio does; `signWith` undefined sends no signature. */
async function post(callback: Callback, signWith: string | undefined, signed: { params?: Callback['params']; url?: string } = {}): Promise<Response> {
  const signature = signWith === undefined ? undefined : signTwilioRequest(signWith, signed.url ?? callback.url, signed.params ?? callback.params);
  return fetch(callback.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === undefined ? {} : { 'x-twilio-signature': signature }) },
    body: new URLSearchParams(callback.params).toString(),
  });
}

let runCounter = 0;

/** A live Twilio call row of its own (its own user and lead), as if Twilio had just accepted it. */
async function newTwilioCall(db: Database, accountSid: string, { voicemailAction = 'leave', amdEnabled = true }: { voicemailAction?: 'hangup' | 'leave'; amdEnabled?: boolean } = {}) {
  const email = `webhook-${process.pid}-${++runCounter}-${randomBytes(3).toString('hex')}@example.com`;
  await addMember(db, email);
  await db.sql`insert into dialer_settings (user_email, use_mock_dialer, voicemail_action) values (${email}, false, ${voicemailAction})`;
  const leadId = await insertLead(db, email, 'Katherine Johnson', '+14155550100');
  const callSid = `CA${randomBytes(16).toString('hex')}`;
  const row = await insertActiveCall(db, {
    userEmail: email,
    callSid,
    lineNumber: 1,
    toNumber: '+14155550100',
    leadId,
    leadName: null,
    sessionId: null,
    provider: 'twilio',
    statusSource: 'system',
    amdEnabled,
    recordingEnabled: true,
    mockSeed: null,
    mockConfig: null,
  });
  if (!row) throw new Error('line busy');
  const identity: CallIdentity = { accountSid, callSid, from: '+15005550006', to: '+14155550100' };
  return { row, email, leadId, identity };
}

const urlsFor = (base: string, callId: string) => {
  const url = (webhook: TwilioWebhook) => twilioWebhookUrl(base, webhook, callId);
  return { status: url('status'), amd: url('amd'), recording: url('recording'), answer: url('answer'), dialResult: url('dialResult') };
};

/** Everything the calls of one outcome may differ in must be the same: the row, its history, the lead and the stats. */
async function outcomeOf(db: Database, row: ActiveCallRow, email: string, leadId: string, baseMs: number) {
  const offset = (at: Date | null) => (at === null ? null : at.getTime() - baseMs);
  const call = await readCall(db, row.id);
  const history = await db.sql<Record<string, unknown> & { answered_at: Date | null; ended_at: Date | null }>`
    select outcome, status_source, talk_seconds, answered_by, recording_url, last_error, answered_at, ended_at from call_logs where active_call_id = ${row.id}`;
  const [lead] = await db.sql`select status, attempts from leads where id = ${leadId}`;
  const [stats] = await db.sql`select calls_made, connects, voicemails, no_answers, busy, failed, canceled, talk_seconds::int as talk_seconds from user_stats where user_email = ${email}`;
  return {
    row: {
      status: call.status,
      status_source: call.status_source,
      answered_by: call.answered_by,
      recording_url: call.recording_url,
      last_error: call.last_error,
      duration_seconds: call.duration_seconds,
      answered: offset(call.answered_at),
      ended: offset(call.ended_at),
    },
    history: history.map(({ answered_at, ended_at, ...rest }) => ({ ...rest, answered: offset(answered_at), ended: offset(ended_at) })),
    lead,
    stats,
  };
}

/** Each index at least once, some repeated, in any order. */
const deliveryOrder = (count: number) =>
  fc
    .array(fc.nat({ max: count - 1 }), { maxLength: count })
    .chain((repeats) => {
      const all = [...Array.from({ length: count }, (_, i) => i), ...repeats];
      return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
    });

describe.each(DATABASE_KINDS)('Twilio webhooks on %s', (kind) => {
  let stack: ProductionStack;
  beforeAll(async () => {
    stack = await startProductionStack(kind);
  });
  afterAll(async () => {
    await stack.close();
  });

  async function snapshot(db: Database, callId: string) {
    const [logs] = await db.sql<{ n: number }>`select count(*)::int as n from twilio_call_logs`;
    const [history] = await db.sql<{ n: number }>`select count(*)::int as n from call_logs`;
    return { logs: logs?.n, history: history?.n, row: await readCall(db, callId) };
  }

  it('WH1 a missing, wrong or mismatched signature gets 403 on every webhook and writes nothing', async () => {
    const { server, sim } = stack;
    const { row, identity } = await newTwilioCall(server.db, sim.accountSid, { amdEnabled: false });
    const urls = urlsFor(server.url, row.id);
    const completed = statusCallback(urls.status, identity, { status: 'completed', sequenceNumber: 0, atMs: Date.now(), durationSeconds: 9 });
    const before = await snapshot(server.db, row.id);
    const forgeries: Array<[string, () => Promise<Response>]> = [
      ['no signature', () => post(completed, undefined)],
      ['signed with another token', () => post(completed, 'not-the-auth-token')],
      ['a parameter changed after signing', () => post({ ...completed, params: { ...completed.params, CallDuration: '900' } }, sim.authToken, { params: completed.params })],
      ['signed for another call', () => post(completed, sim.authToken, { url: urls.status.replace(row.id, crypto.randomUUID()) })],
      ['signed for another host', () => post(completed, sim.authToken, { url: completed.url.replace('127.0.0.1', 'localhost') })],
      ...(['amd', 'recording', 'answer', 'dialResult'] as const).map(
        (hook): [string, () => Promise<Response>] => [`the ${hook} webhook unsigned`, () => post({ ...completed, url: urls[hook] }, undefined)],
      ),
      ...(['amd', 'recording', 'answer', 'dialResult'] as const).map(
        (hook): [string, () => Promise<Response>] => [`the ${hook} webhook badly signed`, () => post({ ...completed, url: urls[hook] }, 'wrong')],
      ),
    ];
    for (const [what, send] of forgeries) {
      const response = await send();
      expect(response.status, what).toBe(403);
    }
    expect(await snapshot(server.db, row.id)).toEqual(before);
    // The same callback properly signed is taken.
    expect((await post(completed, sim.authToken)).status).toBe(200);
    expect((await readCall(server.db, row.id)).status).toBe('completed');
  });

  it('WH2 a late ringing after in-progress changes nothing and is recorded', async () => {
    const { server, sim } = stack;
    const { row, identity } = await newTwilioCall(server.db, sim.accountSid);
    const urls = urlsFor(server.url, row.id);
    const now = Date.now();
    await post(statusCallback(urls.status, identity, { status: 'in-progress', sequenceNumber: 2, atMs: now }), sim.authToken);
    const answered = await readCall(server.db, row.id);
    expect(answered.status).toBe('in-progress');
    const late = await post(statusCallback(urls.status, identity, { status: 'ringing', sequenceNumber: 1, atMs: now - 2000 }), sim.authToken);
    expect(late.status).toBe(200);
    expect(await readCall(server.db, row.id)).toEqual(answered);
    const logs = await twilioLogsOf(server.db, row.id);
    expect(logs.map((l) => [l.event, l.payload['CallStatus'], l.outcome])).toEqual([
      ['status', 'in-progress', 'moved'],
      ['status', 'ringing', 'unchanged'],
    ]);
  });

  it('WH2 a repeated completed writes no second history row; the repeat is recorded as a duplicate', async () => {
    const { server, sim } = stack;
    const { row, identity, email } = await newTwilioCall(server.db, sim.accountSid, { amdEnabled: false });
    const urls = urlsFor(server.url, row.id);
    const completed = statusCallback(urls.status, identity, { status: 'completed', sequenceNumber: 3, atMs: Date.now(), durationSeconds: 5 });
    for (let i = 0; i < 3; i++) expect((await post(completed, sim.authToken)).status).toBe(200);
    const history = await server.db.sql`select outcome from call_logs where active_call_id = ${row.id}`;
    expect(history).toEqual([{ outcome: 'completed' }]);
    const [stats] = await server.db.sql`select calls_made from user_stats where user_email = ${email}`;
    expect(stats).toEqual({ calls_made: 1 });
    expect((await twilioLogsOf(server.db, row.id)).map((l) => l.outcome)).toEqual(['moved', 'duplicate', 'duplicate']);
  });

  it('WH2 callbacks for calls we do not track get 200 and are recorded', async () => {
    const { server, sim } = stack;
    const callSid = `CA${randomBytes(16).toString('hex')}`;
    const identity = { accountSid: sim.accountSid, callSid, from: '+15005550006', to: '+14155550100' };
    const unknownId = crypto.randomUUID();
    const byId = await post(statusCallback(twilioWebhookUrl(server.url, 'status', unknownId), identity, { status: 'ringing', sequenceNumber: 1, atMs: Date.now() }), sim.authToken);
    const bySid = await post(statusCallback(`${server.url}/webhooks/twilio/status`, identity, { status: 'completed', sequenceNumber: 2, atMs: Date.now() }), sim.authToken);
    expect([byId.status, bySid.status]).toEqual([200, 200]);
    const logs = await server.db.sql`select event, outcome, active_call_id from twilio_call_logs where call_sid = ${callSid} order by id`;
    expect(logs).toEqual([
      { event: 'status', outcome: 'unknown_call', active_call_id: null },
      { event: 'status', outcome: 'unknown_call', active_call_id: null },
    ]);
  });

  it('the dial result sends an unanswered browser leg on to the forward-to number, and ends after an answered one', async () => {
    const { server, sim } = stack;
    const { row, identity, email } = await newTwilioCall(server.db, sim.accountSid);
    await server.db.sql`update dialer_settings set forward_to_number = '+14155550199' where user_email = ${email}`;
    const url = urlsFor(server.url, row.id).dialResult;
    const params = (dialStatus: string) => ({ AccountSid: identity.accountSid, CallSid: identity.callSid, DialCallStatus: dialStatus });
    const missed = await post({ kind: 'answer', url, params: params('no-answer') }, sim.authToken);
    expect(await missed.text()).toContain('<Dial callerId="+14155550100"><Number>+14155550199</Number></Dial>');
    const taken = await post({ kind: 'answer', url, params: params('completed') }, sim.authToken);
    expect(await taken.text()).toContain('<Hangup/>');
  });

  /** Plays one scripted call's callbacks, signed, in `order` (Twilio's order when undefined), and reads what it left. */
  async function play(outcome: ScriptedOutcome, order: readonly number[] | undefined, options: { isVerdictAfterEnd?: boolean } = {}) {
    const { server, sim } = stack;
    const call = await newTwilioCall(server.db, sim.accountSid);
    const baseMs = Math.ceil(call.row.started_at.getTime() / 1000) * 1000;
    const script = scriptCallbacks(outcome, call.identity, urlsFor(server.url, call.row.id), baseMs, options);
    for (const index of order ?? script.keys()) {
      const callback = script[index];
      if (!callback) throw new Error(`no callback ${index}`);
      expect((await post(callback, sim.authToken)).status).toBe(200);
    }
    return outcomeOf(server.db, call.row, call.email, call.leadId, baseMs);
  }
  const scriptLength = (outcome: ScriptedOutcome, options: { isVerdictAfterEnd?: boolean } = {}) =>
    scriptCallbacks(outcome, { accountSid: '', callSid: '', from: '', to: '' }, { status: '', amd: '', recording: '' }, 0, options).length;

  it.each(Object.keys(SCRIPTED_OUTCOMES) as ScriptedOutcome[])(
    'WH2 %s: any order of its callbacks, with repeats, leaves the same row, one history row, the same lead and stats (seeded property)',
    async (outcome) => {
      const inOrder = await play(outcome, undefined);
      expect(inOrder.row.status).toBe(SCRIPTED_OUTCOMES[outcome]);
      expect(inOrder.history).toHaveLength(1);
      await fc.assert(
        fc.asyncProperty(deliveryOrder(scriptLength(outcome)), async (order) => {
          expect(await play(outcome, order)).toEqual(inOrder);
        }),
        { seed: 20261124, numRuns: 12, endOnFailure: true },
      );
    },
  );

  it('TR3 a machine verdict after the dial result that played the safe-harbor message: not abandoned, as when the verdict came first; the message is in history either way', async () => {
    const { server, sim } = stack;
    const sendInOrder = async (order: ReadonlyArray<'answered' | 'dialResult' | 'verdict' | 'completed'>) => {
      const call = await newTwilioCall(server.db, sim.accountSid);
      const urls = urlsFor(server.url, call.row.id);
      const baseMs = Math.ceil(call.row.started_at.getTime() / 1000) * 1000;
      const callbacks: Record<(typeof order)[number], Callback> = {
        answered: statusCallback(urls.status, call.identity, { status: 'in-progress', sequenceNumber: 2, atMs: baseMs + 3000 }),
        // The rep's browser did not take the answered call: no forward-to number, so the message plays.
        dialResult: {
          kind: 'answer',
          url: urls.dialResult,
          params: { AccountSid: call.identity.accountSid, CallSid: call.identity.callSid, DialCallStatus: 'no-answer', CallStatus: 'in-progress', From: call.identity.from },
        },
        verdict: amdCallback(urls.amd, call.identity, 'machine_end_beep', 12_000),
        completed: statusCallback(urls.status, call.identity, { status: 'completed', sequenceNumber: 3, atMs: baseMs + 30_000, durationSeconds: 27 }),
      };
      for (const name of order) {
        const answer = await post(callbacks[name], sim.authToken);
        expect(answer.status).toBe(200);
        if (name === 'dialResult') expect(await answer.text()).toContain('press 9');
      }
      const [row] = await server.db.sql<{ abandoned: boolean; safe_harbor: boolean; answered_by: string }>`
        select abandoned_at is not null as abandoned, safe_harbor_at is not null as safe_harbor, answered_by from active_calls where id = ${call.row.id}`;
      const history = await server.db.sql<{ abandoned: boolean; safe_harbor: boolean; outcome: string }>`
        select abandoned_at is not null as abandoned, safe_harbor_at is not null as safe_harbor, outcome from call_logs where active_call_id = ${call.row.id}`;
      return { row, history };
    };
    const expected = {
      row: { abandoned: false, safe_harbor: true, answered_by: 'machine_end_beep' },
      history: [{ abandoned: false, safe_harbor: true, outcome: 'voicemail_detected' }],
    };
    expect(await sendInOrder(['answered', 'dialResult', 'verdict', 'completed'])).toEqual(expected);
    expect(await sendInOrder(['answered', 'verdict', 'dialResult', 'completed'])).toEqual(expected);
    expect(await sendInOrder(['answered', 'dialResult', 'completed', 'verdict'])).toEqual(expected);
  });

  it('TR3 in-progress, completed without AnsweredBy, then a machine verdict: the call ends voicemail_detected, not a connect, as in the other order', async () => {
    const { server, sim } = stack;
    const sendInOrder = async (order: ReadonlyArray<'answered' | 'completed' | 'verdict'>) => {
      const call = await newTwilioCall(server.db, sim.accountSid);
      const urls = urlsFor(server.url, call.row.id);
      const baseMs = Math.ceil(call.row.started_at.getTime() / 1000) * 1000;
      const callbacks = {
        answered: statusCallback(urls.status, call.identity, { status: 'in-progress', sequenceNumber: 2, atMs: baseMs + 3000 }),
        completed: statusCallback(urls.status, call.identity, { status: 'completed', sequenceNumber: 3, atMs: baseMs + 21_000, durationSeconds: 18 }),
        verdict: amdCallback(urls.amd, call.identity, 'machine_end_beep', 17_000),
      };
      const seen: string[] = [];
      for (const name of order) {
        expect((await post(callbacks[name], sim.authToken)).status).toBe(200);
        seen.push((await readCall(server.db, call.row.id)).status);
      }
      return { seen, final: await outcomeOf(server.db, call.row, call.email, call.leadId, baseMs), logs: await twilioLogsOf(server.db, call.row.id) };
    };
    const verdictLast = await sendInOrder(['answered', 'completed', 'verdict']);
    // The end waits on the row for the verdict: the call stays answered, with no history yet.
    expect(verdictLast.seen).toEqual(['in-progress', 'in-progress', 'voicemail_detected']);
    expect(verdictLast.logs.map((l) => [l.event, l.outcome])).toEqual([
      ['status', 'moved'],
      ['status', 'awaiting_verdict'],
      ['amd', 'machine_finished_call'],
    ]);
    expect(verdictLast.final).toMatchObject({
      row: { status: 'voicemail_detected', status_source: 'webhook', answered_by: 'machine_end_beep', duration_seconds: 18, answered: 3000, ended: 21_000 },
      history: [{ outcome: 'voicemail_detected', talk_seconds: 18, answered_by: 'machine_end_beep' }],
      lead: { status: 'voicemail', attempts: 1 },
      stats: { calls_made: 1, connects: 0, voicemails: 1, talk_seconds: 0 },
    });
    expect((await sendInOrder(['answered', 'verdict', 'completed'])).final).toEqual(verdictLast.final);
    expect((await sendInOrder(['completed', 'verdict', 'answered'])).final).toEqual(verdictLast.final);
  });

  it.each(ANSWERED_OUTCOMES)(
    'TR3 %s: with the verdict before or after the completed callback, any order with repeats leaves one final row and one history row (seeded property)',
    async (outcome) => {
      const inOrder = await play(outcome, undefined);
      expect(inOrder.row.status).toBe(SCRIPTED_OUTCOMES[outcome]);
      expect(inOrder.history).toHaveLength(1);
      // The same facts, with the verdict arriving after the end: the same row.
      expect(await play(outcome, undefined, { isVerdictAfterEnd: true })).toEqual(inOrder);
      const variants = fc.boolean().chain((isVerdictAfterEnd) => deliveryOrder(scriptLength(outcome, { isVerdictAfterEnd })).map((order) => ({ isVerdictAfterEnd, order })));
      await fc.assert(
        fc.asyncProperty(variants, async ({ isVerdictAfterEnd, order }) => {
          expect(await play(outcome, order, { isVerdictAfterEnd })).toEqual(inOrder);
        }),
        { seed: 20261203, numRuns: 16, endOnFailure: true },
      );
    },
  );
});
