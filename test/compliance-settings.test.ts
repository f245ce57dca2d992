import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToDoNotCall } from '../src/db/do-not-call.js';
import { invoke } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { startTestServer, type SignedUpUser, type TestServer } from './support/server.js';

/** Wednesday 2026-12-09, 13:00 in Chicago. */
const MIDDAY = new Date('2026-12-09T19:00:00Z');
const CHICAGO = '+13125550100';

const DEFAULTS = {
  callingWindowStart: '08:00',
  callingWindowEnd: '21:00',
  maxAttemptsLifetime: null,
  maxAttemptsPerDay: null,
  maxAttemptsPer24h: 3,
  abandonmentLimitPercent: 3,
  recordingConsentMode: 'notice',
  consentNotice: 'This call may be recorded.',
  safeHarborCallerName: null,
  safeHarborOptOutNumber: null,
};

describe.each(DATABASE_KINDS)('compliance settings on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server.close();
  });

  const auditOf = async (admin: SignedUpUser) =>
    server.db.sql<{ action: string; target: string | null; details: Record<string, unknown> }>`
      select a.action, a.target, a.details from audit_log a join workspace_members m on m.workspace_id = a.workspace_id
      where m.user_email = ${admin.email} and a.action not like 'invitation.%' order by a.id`;

  it('every member reads the defaults and the calling-hours table with its sources', async () => {
    const admin = await server.signUp('cs-read');
    const rep = await server.signUpInto(admin.client, 'rep', 'cs-read-rep');
    const read = await invoke(rep.client, 'getComplianceSettings', {});
    expect(read).toMatchObject({ status: 200, body: { settings: DEFAULTS } });
    const rules = read.body['rules'] as { region: string; day: string; windowStart: string | null; source: string; updatedBy: string | null }[];
    expect(rules).toContainEqual(expect.objectContaining({ region: 'TX', day: 'sun', windowStart: '12:00', windowEnd: '21:00', source: expect.stringMatching(/301\.051/), updatedBy: null }));
    expect(rules).toContainEqual(expect.objectContaining({ region: 'AL', day: 'sun', windowStart: null, windowEnd: null }));
  });

  it('an admin changes settings (only those given), audited with from and to; the same values again write nothing', async () => {
    const admin = await server.signUp('cs-set');
    const changed = await invoke(admin.client, 'setComplianceSettings', {
      callingWindowStart: '09:00',
      maxAttemptsPerDay: 2,
      maxAttemptsPer24h: null,
      abandonmentLimitPercent: 2.5,
      recordingConsentMode: 'do_not_record',
      safeHarborCallerName: 'Acme Sales',
      safeHarborOptOutNumber: '(415) 555-0199',
    });
    expect(changed).toMatchObject({
      status: 200,
      body: { settings: { ...DEFAULTS, callingWindowStart: '09:00', maxAttemptsPerDay: 2, maxAttemptsPer24h: null, abandonmentLimitPercent: 2.5, recordingConsentMode: 'do_not_record', safeHarborCallerName: 'Acme Sales', safeHarborOptOutNumber: '+14155550199' } },
    });
    const audit = await auditOf(admin);
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'compliance.settings_changed',
        details: expect.objectContaining({ callingWindowStart: { from: '08:00', to: '09:00' }, maxAttemptsPer24h: { from: 3, to: null } }),
      }),
    ]);
    expect((await invoke(admin.client, 'setComplianceSettings', { callingWindowStart: '09:00' })).status).toBe(200);
    expect(await auditOf(admin)).toHaveLength(1);
  });

  it('IN1 bad settings are refused with a clear code, naming the setting, and nothing is written', async () => {
    const admin = await server.signUp('cs-bad');
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ callingWindowStart: '07:00' }, 'invalid_request', /callingWindowStart is within 08:00–21:00/],
      [{ callingWindowEnd: '21:30' }, 'invalid_request', /callingWindowEnd is within 08:00–21:00/],
      [{ callingWindowStart: '9am' }, 'invalid_request', /callingWindowStart is a time 'HH:MM'/],
      [{ callingWindowStart: '20:00', callingWindowEnd: '10:00' }, 'invalid_request', /starts before it ends/],
      [{ maxAttemptsPer24h: 0 }, 'invalid_request', /maxAttemptsPer24h is at least 1/],
      [{ maxAttemptsLifetime: 2.5 }, 'invalid_request', /maxAttemptsLifetime is a whole number/],
      [{ abandonmentLimitPercent: 3.5 }, 'invalid_request', /abandonmentLimitPercent is at most 3/],
      [{ recordingConsentMode: 'sometimes' }, 'invalid_request', /recordingConsentMode is one of notice, do_not_record/],
      [{ consentNotice: '' }, 'invalid_request', /consentNotice is required/],
      [{ safeHarborOptOutNumber: '12' }, 'invalid_phone_number', /safeHarborOptOutNumber/],
      [{ somethingElse: true }, 'invalid_request', /somethingElse/],
    ];
    for (const [body, code, message] of cases) {
      const refused = await invoke(admin.client, 'setComplianceSettings', body);
      expect(refused.body, JSON.stringify(body)).toMatchObject({ code, message: expect.stringMatching(message) });
      expect(refused.status).toBe(400);
    }
    expect((await invoke(admin.client, 'getComplianceSettings', {})).body).toMatchObject({ settings: DEFAULTS });
    expect(await auditOf(admin)).toEqual([]);
  });

  it('a rep or a manager cannot change settings or rules (forbidden), and nothing is written', async () => {
    const admin = await server.signUp('cs-forbid');
    for (const role of ['rep', 'manager'] as const) {
      const member = await server.signUpInto(admin.client, role, `cs-forbid-${role}`);
      expect(await invoke(member.client, 'setComplianceSettings', { maxAttemptsPer24h: 10 })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
      expect(await invoke(member.client, 'setCallingHourRule', { region: 'IL', day: 'wed', windowStart: null, windowEnd: null, source: 'mine' })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
      expect(await invoke(member.client, 'deleteCallingHourRule', { region: 'TX', day: 'sun' })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    }
    expect((await invoke(admin.client, 'getComplianceSettings', {})).body).toMatchObject({ settings: DEFAULTS });
    expect(await auditOf(admin)).toEqual([]);
  });

  it('an admin’s calling-hours rule narrows the gate for that state and day; removing it restores the workspace’s window', async () => {
    const admin = await server.signUp('cs-rule');
    server.dialClock.pin(MIDDAY);
    try {
      expect((await invoke(admin.client, 'checkDial', { to: CHICAGO })).body).toMatchObject({ allowed: true, regions: ['IL'] });
      const set = await invoke(admin.client, 'setCallingHourRule', { region: 'il', day: 'wed', windowStart: '14:00', windowEnd: '17:00', source: 'House rule: afternoons only' });
      expect(set).toMatchObject({ status: 200, body: { rule: { region: 'IL', day: 'wed', windowStart: '14:00', windowEnd: '17:00', updatedBy: admin.email } } });
      expect((await invoke(admin.client, 'checkDial', { to: CHICAGO })).body).toMatchObject({ allowed: false, code: 'outside_calling_hours', rule: 'region:IL:wed', opensAt: '2026-12-09T20:00:00.000Z' });
      const closed = await invoke(admin.client, 'setCallingHourRule', { region: 'IL', day: 'wed', windowStart: null, windowEnd: null, source: 'No calls on Wednesdays' });
      expect(closed.status).toBe(200);
      expect((await invoke(admin.client, 'checkDial', { to: CHICAGO })).body).toMatchObject({ allowed: false, rule: 'region:IL:wed' });
      expect(await invoke(admin.client, 'deleteCallingHourRule', { region: 'IL', day: 'wed' })).toMatchObject({ status: 200, body: { deleted: true } });
      expect(await invoke(admin.client, 'deleteCallingHourRule', { region: 'IL', day: 'wed' })).toMatchObject({ status: 200, body: { deleted: false } });
      expect((await invoke(admin.client, 'checkDial', { to: CHICAGO })).body).toMatchObject({ allowed: true });
      expect((await auditOf(admin)).map((entry) => [entry.action, entry.target])).toEqual([
        ['calling_hour_rule.set', 'IL:wed'],
        ['calling_hour_rule.set', 'IL:wed'],
        ['calling_hour_rule.deleted', 'IL:wed'],
      ]);
      // Bad rules are refused.
      expect(await invoke(admin.client, 'setCallingHourRule', { region: 'IL', day: 'wed', windowStart: '14:00', windowEnd: null, source: 'x' })).toMatchObject({ status: 400, body: { code: 'invalid_request', message: expect.stringMatching(/both times, or both null/) } });
      expect(await invoke(admin.client, 'setCallingHourRule', { region: 'Illinois', day: 'wed', windowStart: null, windowEnd: null, source: 'x' })).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
      expect(await invoke(admin.client, 'setCallingHourRule', { region: 'IL', day: 'someday', windowStart: null, windowEnd: null, source: 'x' })).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
      expect(await invoke(admin.client, 'setCallingHourRule', { region: 'IL', day: 'wed', windowStart: null, windowEnd: null, source: '' })).toMatchObject({ status: 400, body: { code: 'invalid_request', message: expect.stringMatching(/source is required/) } });
      expect(await auditOf(admin)).toHaveLength(3);
    } finally {
      server.dialClock.reset();
    }
  });

  it('lead lists take a calling window (both or neither) and caps; bad ones are refused', async () => {
    const admin = await server.signUp('cs-list');
    const created = await invoke(admin.client, 'createLeadList', { name: 'Narrow', callingWindowStart: '10:00', callingWindowEnd: '18:00', maxAttemptsLifetime: 6, maxAttemptsPerDay: 2 });
    expect(created.body).toMatchObject({ list: { callingWindowStart: '10:00', callingWindowEnd: '18:00', maxAttemptsLifetime: 6, maxAttemptsPerDay: 2, maxAttemptsPer24h: null } });
    const listId = (created.body['list'] as { id: string }).id;
    const updated = await invoke(admin.client, 'updateLeadList', { listId, callingWindowStart: null, callingWindowEnd: null, maxAttemptsPer24h: 1 });
    expect(updated.body).toMatchObject({ list: { callingWindowStart: null, callingWindowEnd: null, maxAttemptsLifetime: 6, maxAttemptsPer24h: 1 } });
    const [row] = await server.db.sql`select calling_window_start, max_attempts_per_24h from lead_lists where id = ${listId}`;
    expect(row).toEqual({ calling_window_start: null, max_attempts_per_24h: 1 });
    for (const body of [
      { listId, callingWindowStart: '10:00' },
      { listId, callingWindowStart: '10:00', callingWindowEnd: null },
      { listId, callingWindowStart: '18:00', callingWindowEnd: '10:00' },
      { listId, callingWindowStart: '07:00', callingWindowEnd: '10:00' },
      { listId, maxAttemptsPerDay: 0 },
    ]) {
      expect((await invoke(admin.client, 'updateLeadList', body)).body, JSON.stringify(body)).toMatchObject({ code: 'invalid_request' });
    }
    expect((await invoke(admin.client, 'updateLeadList', { listId })).body).toMatchObject({ list: { maxAttemptsPer24h: 1, callingWindowStart: null } });
  });

  it('dialerSettings takes the demo clock offset (whole seconds within a year, or null)', async () => {
    const rep = await server.signUp('cs-demo');
    expect((await invoke(rep.client, 'dialerSettings', { userEmail: rep.email, update: { demoClockOffsetSeconds: 3600 } })).body).toMatchObject({ settings: { demo_clock_offset_seconds: 3600 } });
    expect(await invoke(rep.client, 'dialerSettings', { userEmail: rep.email, update: { demoClockOffsetSeconds: 400 * 86_400 } })).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    expect(await invoke(rep.client, 'dialerSettings', { userEmail: rep.email, update: { demo_clock_offset_seconds: 1.5 } })).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    expect((await invoke(rep.client, 'dialerSettings', { userEmail: rep.email })).body).toMatchObject({ settings: { demo_clock_offset_seconds: 3600 } });
  });

  it('REST: the calling-hours tables and the log are readable; the do-not-call list and the rules are not writable', async () => {
    const admin = await server.signUp('cs-rest');
    const rules = await admin.client.from('calling_hour_rules').select('region, day', { count: 'exact' }).eq('region', 'TX');
    expect(rules.error).toBeNull();
    expect(rules.count).toBe(7);
    const defaults = await admin.client.from('calling_hour_rule_defaults').select('region').eq('region', 'RI');
    expect(defaults.data?.length).toBeGreaterThan(0);
    const write = await admin.client.from('do_not_call_numbers').insert({ user_email: admin.email, phone_number: '+14155550177' });
    expect(write.error).not.toBeNull();
    const rule = await admin.client.from('calling_hour_rules').update({ source: 'changed' }).eq('region', 'TX');
    expect(rule.error).not.toBeNull();
    expect(await server.db.sql`select 1 from do_not_call_numbers where phone_number = '+14155550177'`).toEqual([]);
  });

  it('createExport kind compliance: the log as CSV, filtered by entry kind and code', async () => {
    const admin = await server.signUp('cs-export');
    await server.db.transaction((tx) => addToDoNotCall(tx, { userEmail: admin.email, numbers: ['+14155550178'], source: 'manual' }));
    expect((await invoke(admin.client, 'mockDialerCall', { to: '+14155550178', userEmail: admin.email, lineNumber: 1 })).body).toMatchObject({ code: 'do_not_call' });
    const fetchCsv = async (body: Record<string, unknown>) => {
      const link = await invoke(admin.client, 'createExport', body);
      expect(link.status).toBe(200);
      const response = await fetch(`${server.url}${String(link.body['url'])}`);
      expect(response.status).toBe(200);
      return (await response.text()).replace(/^\ufeff/, '').trim().split('\n');
    };
    const all = await fetchCsv({ kind: 'compliance' });
    expect(all[0]).toBe('id,created_at,user_email,kind,code,rule,phone_number,lead_id,list_id,call_id,message,details');
    expect(all.slice(1).some((line) => line.includes('dnc_added'))).toBe(true);
    const refusals = await fetchCsv({ kind: 'compliance', eventKind: 'dial_refused', code: 'do_not_call' });
    expect(refusals).toHaveLength(2);
    expect(refusals[1]).toMatch(/dial_refused,do_not_call,dnc:list,'\+14155550178/);
    expect(await fetchCsv({ kind: 'compliance', code: 'outside_calling_hours' })).toHaveLength(1);
    expect(await invoke(admin.client, 'createExport', { kind: 'history', code: 'do_not_call' })).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
  });
});
