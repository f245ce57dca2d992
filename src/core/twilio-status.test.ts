import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canTransition, CALL_STATUSES } from './call-status.js';
import { describeTwilioFailure, TWILIO_REFUSALS } from './twilio-errors.js';
import {
  classifyAnsweredBy,
  hasVerdictWaitPassed,
  interpretCallReport,
  isAwaitingVerdict,
  mapTwilioCallStatus,
  settleCall,
  TWILIO_ANSWERED_BY,
  TWILIO_CALL_STATUSES,
  VERDICT_WAIT_MS,
  type ReportedCall,
  type TwilioCallReport,
} from './twilio-status.js';

const START = new Date('2026-01-05T10:00:00.400Z');
const report = (fields: Partial<TwilioCallReport> & Pick<TwilioCallReport, 'status'>): TwilioCallReport => ({
  at: undefined,
  durationSeconds: undefined,
  answeredBy: undefined,
  recordingUrl: undefined,
  failureDetail: undefined,
  ...fields,
});

describe('Twilio status mapping', () => {
  it('maps queued and initiated to dialing and every other status to itself', () => {
    expect(TWILIO_CALL_STATUSES.map(mapTwilioCallStatus)).toEqual(['dialing', 'dialing', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled']);
    for (const status of TWILIO_CALL_STATUSES) expect(CALL_STATUSES).toContain(mapTwilioCallStatus(status));
  });

  it('reads machine and fax answers as voicemail, human as human, anything else as nothing', () => {
    expect(TWILIO_ANSWERED_BY.map(classifyAnsweredBy)).toEqual(['human', 'machine', 'machine', 'machine', 'machine', 'machine', 'unknown']);
    expect(classifyAnsweredBy('robot')).toBeUndefined();
    expect(classifyAnsweredBy(null)).toBeUndefined();
  });

  it('a report of the end keeps Twilio’s status; detection alone does not end the call', () => {
    const at = new Date('2026-01-05T10:00:20Z');
    expect(interpretCallReport(report({ status: 'completed', at, durationSeconds: 5, answeredBy: 'machine_start' }), { startedAt: START })).toMatchObject({ status: 'completed', answeredBy: 'machine_start' });
    expect(interpretCallReport(report({ status: 'in-progress', at, answeredBy: 'machine_start' }), { startedAt: START }).status).toBe('in-progress');
  });

  it('the answer time is the same from the answered callback and from the completed one', () => {
    const answered = interpretCallReport(report({ status: 'in-progress', at: new Date('2026-01-05T10:00:07Z') }), { startedAt: START });
    const completed = interpretCallReport(report({ status: 'completed', at: new Date('2026-01-05T10:00:19Z'), durationSeconds: 12 }), { startedAt: START });
    expect(completed.answeredAt).toEqual(answered.answeredAt);
    expect(completed).toMatchObject({ endedAt: new Date('2026-01-05T10:00:19Z'), durationSeconds: 12 });
  });

  it('never dates an event before the call started (Twilio times have whole seconds)', () => {
    const early = new Date('2026-01-05T10:00:00Z');
    expect(interpretCallReport(report({ status: 'in-progress', at: early }), { startedAt: START }).answeredAt).toEqual(START);
    expect(interpretCallReport(report({ status: 'busy', at: early }), { startedAt: START }).endedAt).toEqual(START);
  });

  it('a failed call says why, with Twilio’s detail when it gave one', () => {
    expect(interpretCallReport(report({ status: 'failed', failureDetail: 'SIP 503' }), { startedAt: START }).lastError).toBe('Twilio reported that the call failed: SIP 503');
    expect(interpretCallReport(report({ status: 'failed' }), { startedAt: START }).lastError).toBe('Twilio reported that the call failed.');
  });

  it('ST1 a report never asks for a move the status table forbids from dialing', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TWILIO_CALL_STATUSES), fc.constantFrom(undefined, ...TWILIO_ANSWERED_BY), (status, answeredBy) => {
        const facts = interpretCallReport(report({ status, answeredBy, at: new Date('2026-01-05T10:00:30Z'), durationSeconds: 3 }), { startedAt: START });
        expect(facts.status === 'dialing' || canTransition('dialing', facts.status)).toBe(true);
      }),
      { seed: 4242, numRuns: 100 },
    );
  });
});

describe('TR3 settling a call from the facts Twilio reported', () => {
  const ENDED = new Date('2026-01-05T10:00:20Z');
  const call = (fields: Partial<ReportedCall>): ReportedCall => ({
    startedAt: START,
    amdEnabled: true,
    answeredBy: null,
    reportedStatus: 'completed',
    reportedEndedAt: ENDED,
    reportedDurationSeconds: 12,
    ...fields,
  });
  const waiting = { hasVerdictWaitPassed: false };

  it('TR3 an answered call with AMD and no verdict is not finished until the verdict or the end of the wait', () => {
    expect(isAwaitingVerdict(call({}))).toBe(true);
    expect(settleCall(call({}), waiting)).toBeUndefined();
    expect(settleCall(call({}), { hasVerdictWaitPassed: true })).toMatchObject({ status: 'completed', durationSeconds: 12 });
    expect(settleCall(call({ amdEnabled: false }), waiting)?.status).toBe('completed');
    expect(settleCall(call({ reportedStatus: null }), { hasVerdictWaitPassed: true })).toBeUndefined();
  });

  it('TR3 a machine or fax verdict makes an answered call voicemail; human and unknown make it a connect', () => {
    expect(settleCall(call({ answeredBy: 'machine_end_beep' }), waiting)?.status).toBe('voicemail_detected');
    expect(settleCall(call({ answeredBy: 'fax' }), waiting)?.status).toBe('voicemail_detected');
    expect(settleCall(call({ answeredBy: 'human' }), waiting)?.status).toBe('completed');
    expect(settleCall(call({ answeredBy: 'unknown' }), waiting)?.status).toBe('completed');
    // A verdict does not change an unanswered end.
    expect(settleCall(call({ reportedStatus: 'canceled', reportedDurationSeconds: 0, answeredBy: 'machine_start' }), waiting)).toMatchObject({ status: 'canceled', answeredAt: undefined, durationSeconds: 0 });
  });

  it('TR3 the times are Twilio’s: its end, and the answer CallDuration before it, never before the start', () => {
    expect(settleCall(call({ answeredBy: 'human' }), waiting)).toMatchObject({ endedAt: ENDED, answeredAt: new Date('2026-01-05T10:00:08Z'), durationSeconds: 12 });
    expect(settleCall(call({ answeredBy: 'human', reportedDurationSeconds: 60 }), waiting)?.answeredAt).toEqual(START);
  });

  it('the wait for a verdict is counted from the answer, else from the end', () => {
    const answeredAt = new Date('2026-01-05T10:00:08Z');
    expect(hasVerdictWaitPassed({ answeredAt, reportedEndedAt: ENDED }, answeredAt.getTime() + VERDICT_WAIT_MS - 1)).toBe(false);
    expect(hasVerdictWaitPassed({ answeredAt, reportedEndedAt: ENDED }, answeredAt.getTime() + VERDICT_WAIT_MS)).toBe(true);
    expect(hasVerdictWaitPassed({ answeredAt: null, reportedEndedAt: ENDED }, ENDED.getTime() + VERDICT_WAIT_MS)).toBe(true);
    expect(hasVerdictWaitPassed({ answeredAt: null, reportedEndedAt: null }, Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});

describe('Twilio refusals', () => {
  it.each([
    [21211, 'twilio_invalid_number'],
    [21214, 'twilio_invalid_number'],
    [13224, 'twilio_invalid_number'],
    [21215, 'twilio_geo_permission'],
    [21210, 'twilio_caller_id_unverified'],
    [20003, 'twilio_auth_failed'],
    [20429, 'twilio_rate_limited'],
  ] as const)('Twilio error %i becomes %s and keeps the Twilio code', (twilioCode, code) => {
    expect(Object.keys(TWILIO_REFUSALS)).toContain(String(twilioCode));
    const { error, lastError } = describeTwilioFailure({ kind: 'refused', httpStatus: 400, twilioCode, twilioMessage: 'Twilio’s own words' });
    expect(error.code).toBe(code);
    expect(error.message).toContain(`Twilio error ${twilioCode}: Twilio’s own words`);
    expect(lastError).toBe(error.message);
  });

  it('an unlisted refusal is twilio_error with its code; a network failure is twilio_unreachable', () => {
    expect(describeTwilioFailure({ kind: 'refused', httpStatus: 400, twilioCode: 21601, twilioMessage: 'x' }).error).toMatchObject({ code: 'twilio_error', message: expect.stringContaining('21601') });
    expect(describeTwilioFailure({ kind: 'refused', httpStatus: 500, twilioCode: undefined, twilioMessage: '' }).error.message).toContain('HTTP 500');
    const timeout = describeTwilioFailure({ kind: 'unreachable', isTimeout: true, detail: 'timeout of 500ms exceeded' });
    expect(timeout.error).toMatchObject({ code: 'twilio_unreachable', message: expect.stringMatching(/did not answer in time.*500ms/) });
    expect(describeTwilioFailure({ kind: 'unreachable', isTimeout: false, detail: 'ECONNREFUSED' }).lastError).toMatch(/Could not reach Twilio.*ECONNREFUSED/);
  });
});
