import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOCK_OUTCOMES, type MockOutcome } from '../src/core/mock-timeline.js';
import type { CallLog, UserStats } from '../src/core/rows.js';
import { DATABASE_KINDS } from './support/databases.js';
import { countRows, fastConfig, insertLead, invoke, waitForEnd, waitForStatus } from './support/calls.js';
import { startTestServer, type TestServer } from './support/server.js';

const EXPECTED_LEAD_STATUS: Record<MockOutcome, string> = {
  completed: 'contacted',
  'no-answer': 'no_answer',
  busy: 'busy',
  failed: 'attempted',
  canceled: 'attempted',
  voicemail_detected: 'voicemail',
};

describe.each(DATABASE_KINDS)('calls in demo mode on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server.close();
  });

  it.each(MOCK_OUTCOMES)('HI1 a %s call runs from dialing to one history row, lead status and stats', async (outcome) => {
    const { client, email } = await server.signUp(`outcome-${outcome}`);
    const leadId = await insertLead(server.db, email);
    const started = await invoke(client, 'mockDialerCall', {
      to: '(415) 555-0142',
      userEmail: email,
      leadId,
      lineNumber: 2,
      mockConfig: fastConfig(outcome),
      enableAMD: true,
    });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ success: true, status: 'dialing' });
    const callId = started.body['callId'] as string;

    const [fresh] = await server.db.sql`select * from active_calls where id = ${callId}`;
    expect(fresh).toMatchObject({ is_mock: true, status_source: 'mock', provider: 'mock', to_number: '+14155550142', lead_name: 'Ada Lovelace', line_number: 2 });
    expect(fresh?.['call_sid']).toMatch(/^MOCK[0-9a-f]{32}$/);

    const ended = await waitForEnd(server.db, callId);
    expect(ended.status).toBe(outcome);
    expect(ended.ended_at).toBeInstanceOf(Date);
    if (outcome === 'completed') {
      expect(ended.answered_at).toBeInstanceOf(Date);
      expect(ended.answered_by).toBe('human');
      expect(ended.duration_seconds).toBeGreaterThanOrEqual(1);
    }
    if (outcome === 'voicemail_detected') expect(ended.answered_by).toBe('machine_start');
    if (outcome === 'failed') expect(ended.last_error).toMatch(/could not be connected/);

    const logs = await server.db.sql<CallLog<Date>>`select * from call_logs where active_call_id = ${callId}`;
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ outcome, call_sid: ended.call_sid, lead_id: leadId, is_mock: true, user_email: email, talk_seconds: ended.duration_seconds });

    const [lead] = await server.db.sql<{ status: string; attempts: number }>`select status, attempts from leads where id = ${leadId}`;
    expect(lead).toEqual({ status: EXPECTED_LEAD_STATUS[outcome], attempts: 1 });

    const [stats] = await server.db.sql<UserStats>`select * from user_stats where user_email = ${email}`;
    expect(stats).toMatchObject({
      calls_made: 1,
      connects: outcome === 'completed' ? 1 : 0,
      voicemails: outcome === 'voicemail_detected' ? 1 : 0,
      no_answers: outcome === 'no-answer' ? 1 : 0,
      busy: outcome === 'busy' ? 1 : 0,
      failed: outcome === 'failed' ? 1 : 0,
      canceled: outcome === 'canceled' ? 1 : 0,
    });
  });

  it('without AMD a machine answer is an ordinary completed call', async () => {
    const { client, email } = await server.signUp('noamd');
    const started = await invoke(client, 'mockDialerCall', { to: '+14155550143', userEmail: email, lineNumber: 1, mockConfig: fastConfig('voicemail_detected'), enableAMD: false });
    const ended = await waitForEnd(server.db, started.body['callId'] as string);
    expect(ended.status).toBe('completed');
    expect(ended.answered_by).toBeNull();
  });

  it('uses the mock_config saved in settings, and a seed makes the timeline reproducible', async () => {
    const { client, email } = await server.signUp('seeded');
    const saved = await invoke(client, 'dialerSettings', { userEmail: email, update: { mock_config: { ...fastConfig('busy'), seed: 42 } } });
    expect(saved.status).toBe(200);
    const first = await invoke(client, 'mockDialerCall', { to: '+14155550144', userEmail: email, lineNumber: 1 });
    const firstEnd = await waitForEnd(server.db, first.body['callId'] as string);
    expect(firstEnd.status).toBe('busy');
    expect(firstEnd.mock_seed).toBe(42);
    const second = await invoke(client, 'mockDialerCall', { to: '+14155550144', userEmail: email, lineNumber: 1 });
    const secondEnd = await waitForEnd(server.db, second.body['callId'] as string);
    const offset = (row: typeof firstEnd) => (row.ended_at?.getTime() ?? 0) - row.started_at.getTime();
    expect(Math.abs(offset(secondEnd) - offset(firstEnd))).toBeLessThan(5);
  });

  it('one live call per line: a second call on a busy line is refused, another line works', async () => {
    const { client, email } = await server.signUp('lines');
    const slow = fastConfig('completed', { ringSeconds: [5, 5] });
    const first = await invoke(client, 'mockDialerCall', { to: '+14155550145', userEmail: email, lineNumber: 1, mockConfig: slow });
    expect(first.status).toBe(200);
    const before = await countRows(server.db, 'active_calls');
    const clash = await invoke(client, 'mockDialerCall', { to: '+14155550146', userEmail: email, lineNumber: 1, mockConfig: slow });
    expect(clash).toMatchObject({ status: 409, body: { code: 'line_busy' } });
    expect(await countRows(server.db, 'active_calls')).toBe(before);
    const other = await invoke(client, 'mockDialerCall', { to: '+14155550146', userEmail: email, lineNumber: 3, mockConfig: slow });
    expect(other.status).toBe(200);
    for (const call of [first, other]) await invoke(client, 'twilioEndCall', { callSid: call.body['callSid'], userEmail: email });
  });

  it('twilioEndCall cancels before the answer, completes after it, and says so when the call had ended', async () => {
    const { client, email } = await server.signUp('ender');
    const ringing = await invoke(client, 'mockDialerCall', { to: '+14155550147', userEmail: email, lineNumber: 1, mockConfig: fastConfig('completed', { ringSeconds: [30, 30] }) });
    await waitForStatus(server.db, ringing.body['callId'] as string, (s) => s === 'ringing');
    const canceled = await invoke(client, 'twilioEndCall', { callSid: ringing.body['callSid'], userEmail: email });
    expect(canceled).toMatchObject({ status: 200, body: { ended: true, status: 'canceled' } });
    const [row] = await server.db.sql`select status, status_source from active_calls where id = ${ringing.body['callId'] as string}`;
    expect(row).toEqual({ status: 'canceled', status_source: 'manual' });

    const talking = await invoke(client, 'mockDialerCall', { to: '+14155550147', userEmail: email, lineNumber: 1, mockConfig: fastConfig('completed', { talkSeconds: [30, 30] }) });
    const talkingId = talking.body['callId'] as string;
    await waitForStatus(server.db, talkingId, (s) => s === 'in-progress');
    const completed = await invoke(client, 'twilioEndCall', { callSid: talking.body['callSid'], userEmail: email });
    expect(completed).toMatchObject({ status: 200, body: { ended: true, status: 'completed' } });

    const again = await invoke(client, 'twilioEndCall', { callSid: talking.body['callSid'], userEmail: email });
    expect(again).toMatchObject({ status: 200, body: { ended: false, status: 'completed', message: expect.stringMatching(/already ended/) } });
    const logs = await server.db.sql`select outcome, status_source from call_logs where active_call_id = ${talkingId}`;
    expect(logs).toEqual([{ outcome: 'completed', status_source: 'manual' }]);
  });

  it('AU1 one user can neither end nor act for another user’s call', async () => {
    const owner = await server.signUp('owner');
    const intruder = await server.signUp('intruder');
    const call = await invoke(owner.client, 'mockDialerCall', { to: '+14155550148', userEmail: owner.email, lineNumber: 1, mockConfig: fastConfig('completed', { ringSeconds: [30, 30] }) });
    const asOther = await invoke(intruder.client, 'twilioEndCall', { callSid: call.body['callSid'], userEmail: intruder.email });
    expect(asOther).toMatchObject({ status: 404, body: { code: 'call_not_found' } });
    const impersonate = await invoke(intruder.client, 'twilioEndCall', { callSid: call.body['callSid'], userEmail: owner.email });
    expect(impersonate).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    const placeForOther = await invoke(intruder.client, 'mockDialerCall', { to: '+14155550148', userEmail: owner.email, lineNumber: 2 });
    expect(placeForOther).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    const [row] = await server.db.sql`select status from active_calls where id = ${call.body['callId'] as string}`;
    expect(row?.['status']).not.toMatch(/canceled|completed/);
    await invoke(owner.client, 'twilioEndCall', { callSid: call.body['callSid'], userEmail: owner.email });
  });

  it('TW1 twilioInitiateCall without credentials answers twilio_not_configured, offers demo mode and writes nothing', async () => {
    const { client, email } = await server.signUp('prod');
    const before = await countRows(server.db, 'active_calls');
    const result = await invoke(client, 'twilioInitiateCall', { to: '+14155550149', userEmail: email, lineNumber: 1, enableAMD: true, enableRecording: false });
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ code: 'twilio_not_configured', message: expect.stringMatching(/demo mode/) });
    expect(await countRows(server.db, 'active_calls')).toBe(before);
  });

  it('dialerSettings reads and changes only the caller’s settings', async () => {
    const { client, email } = await server.signUp('settings');
    const read = await invoke(client, 'dialerSettings', { userEmail: email });
    expect(read.body).toMatchObject({ settings: { use_mock_dialer: true, user_email: email }, twilioConfigured: false });
    const changed = await invoke(client, 'dialerSettings', { userEmail: email, update: { use_mock_dialer: false, caller_id: '415 555 0100', default_recording: true } });
    expect(changed.body).toMatchObject({ settings: { use_mock_dialer: false, caller_id: '+14155550100', default_recording: true } });
    const cleared = await invoke(client, 'dialerSettings', { userEmail: email, update: { caller_id: null } });
    expect(cleared.body).toMatchObject({ settings: { caller_id: null, default_recording: true } });
  });
});
