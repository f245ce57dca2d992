import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDING_CONSENT_MODES, RECORDING_DECISIONS, type RecordingDecision } from '../src/core/recording-consent.js';
import type { ActiveCallRow } from '../src/db/active-calls.js';
import type { Database } from '../src/db/database.js';
import { twilioWebhookUrl } from '../src/webhooks/twilio-webhook-urls.js';
import { signTwilioRequest } from './twilio-sim/callbacks.js';
import { insertTwilioCall, invoke } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { addMember } from './support/members.js';
import { placeTwilioCall, readCall, signUpProductionRep, startProductionStack, twilioLogsOf, type ProductionStack } from './support/twilio.js';

/** Posts a signed webhook as Twilio does; the TwiML answered. */
async function postSigned(url: string, authToken: string, params: Record<string, string>): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(authToken, url, params) },
    body: new URLSearchParams(params).toString(),
  });
  expect(response.status).toBe(200);
  return response.text();
}

let counter = 0;

describe.each(DATABASE_KINDS)('recording consent and the safe-harbor message in Twilio mode on %s', (kind) => {
  let stack: ProductionStack;
  beforeAll(async () => {
    stack = await startProductionStack(kind);
  });
  afterAll(async () => {
    await stack.close();
  });

  /** A Twilio call row of a workspace of its own, with the gate's decision, answered (by a person unless said). */
  async function answeredCall(db: Database, decision: RecordingDecision, fields: { answeredBy?: string; workspace?: Record<string, string | null> } = {}) {
    const member = await addMember(db, `consent-${process.pid}-${++counter}-${randomBytes(3).toString('hex')}@example.com`);
    await db.sql`insert into dialer_settings (user_email, use_mock_dialer) values (${member.user_email}, false)`;
    const workspace = fields.workspace ?? {};
    await db.sql`update workspaces set name = 'Sunny Roofs',
      consent_notice = coalesce(${workspace['consent_notice'] ?? null}::text, consent_notice),
      safe_harbor_caller_name = ${workspace['safe_harbor_caller_name'] ?? null}, safe_harbor_opt_out_number = ${workspace['safe_harbor_opt_out_number'] ?? null}
      where id = ${member.workspace_id}`;
    const row = await insertTwilioCall(db, { userEmail: member.user_email, recordingEnabled: decision !== 'off' });
    await db.sql`update active_calls set recording_decision = ${decision} where id = ${row.id}`;
    await db.sql`update active_calls set status = 'in-progress', answered_at = now(), answered_by = ${fields.answeredBy ?? null} where id = ${row.id}`;
    const identity = { AccountSid: stack.sim.accountSid, CallSid: row.call_sid ?? '', From: '+15005550006', To: row.to_number, Direction: 'outbound-api' };
    return { row, member, identity };
  }

  const answerOf = (row: ActiveCallRow, identity: Record<string, string>) =>
    postSigned(twilioWebhookUrl(stack.server.url, 'answer', row.id), stack.sim.authToken, { ...identity, CallStatus: 'in-progress' });
  const dialResultOf = (row: ActiveCallRow, identity: Record<string, string>, dialCallStatus = 'no-answer', callStatus = 'in-progress') =>
    postSigned(twilioWebhookUrl(stack.server.url, 'dialResult', row.id), stack.sim.authToken, { ...identity, CallStatus: callStatus, DialCallStatus: dialCallStatus });

  it('the database holds the words of src/core: recording decisions and consent modes', async () => {
    const definitions = await stack.server.db.sql<{ table_name: string; definition: string }>`
      select t.relname::text as table_name, pg_get_constraintdef(c.oid) as definition from pg_constraint c join pg_class t on t.oid = c.conrelid
      where c.contype = 'c' and t.relname in ('active_calls', 'call_logs', 'workspaces')
        and (pg_get_constraintdef(c.oid) like '%recording_decision%' or pg_get_constraintdef(c.oid) like '%recording_consent_mode%')
      order by 1`;
    const words = (definition: string) => [...new Set([...definition.matchAll(/'([^']*)'/g)].map((m) => m[1]))].sort();
    expect(definitions.map((d) => d.table_name)).toEqual(['active_calls', 'call_logs', 'workspaces']);
    expect(words(definitions[0]?.definition ?? '')).toEqual([...RECORDING_DECISIONS].sort());
    expect(words(definitions[1]?.definition ?? '')).toEqual([...RECORDING_DECISIONS].sort());
    expect(words(definitions[2]?.definition ?? '')).toEqual([...RECORDING_CONSENT_MODES].sort());
  });

  it.each([
    ['recorded_after_notice', true, true],
    ['recorded', false, true],
    ['not_recorded_consent', false, false],
    ['off', false, false],
  ] as const)('the answer TwiML for %s: notice %s, recording %s', async (decision, hasNotice, isRecorded) => {
    const { row, identity } = await answeredCall(stack.server.db, decision, { workspace: { consent_notice: 'Calls are recorded for quality & training.' } });
    const twiml = await answerOf(row, identity);
    const notice = '<Say>Calls are recorded for quality &amp; training.</Say>';
    expect(twiml.includes(notice)).toBe(hasNotice);
    // The notice comes before the bridge, and the bridge is what is recorded.
    if (hasNotice) expect(twiml.indexOf(notice)).toBeLessThan(twiml.indexOf('<Dial'));
    expect(twiml.includes('record="record-from-answer-dual"')).toBe(isRecorded);
    expect(twiml.includes(`recordingStatusCallback="${twilioWebhookUrl(stack.server.url, 'recording', row.id)}"`)).toBe(isRecorded);
    const logs = await twilioLogsOf(stack.server.db, row.id);
    expect(logs.find((l) => l.event === 'answer')?.outcome).toBe(`dial_client; recording ${decision}`);
  });

  it('the browser leg failed, no forward-to number: the safe-harbor message (workspace’s caller name and opt-out number), then hang up; abandoned once however often Twilio asks', async () => {
    const { row, identity } = await answeredCall(stack.server.db, 'off', { workspace: { safe_harbor_caller_name: 'Acme <Solar>', safe_harbor_opt_out_number: '+18005550123' } });
    const twiml = await dialResultOf(row, identity);
    expect(twiml).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Gather numDigits="1" timeout="5" action="${twilioWebhookUrl(stack.server.url, 'optOut', row.id)}" method="POST" actionOnEmptyResult="false">` +
        '<Say>This call was made for telemarketing purposes on behalf of Acme &lt;Solar&gt;, and no representative is free to take it. ' +
        'To ask Acme &lt;Solar&gt; not to call you again, call 8 0 0, 5 5 5, 0 1 2 3. To be added to our do-not-call list now, press 9.</Say></Gather><Hangup/></Response>',
    );
    const again = await dialResultOf(row, identity);
    expect(again).toBe(twiml);
    const [marked] = await stack.server.db.sql<{ abandoned_at: Date | null; safe_harbor_at: Date | null; connected_at: Date | null }>`
      select abandoned_at, safe_harbor_at, connected_at from active_calls where id = ${row.id}`;
    expect(marked?.abandoned_at).toBeInstanceOf(Date);
    expect(marked?.safe_harbor_at).toEqual(marked?.abandoned_at);
    expect(marked?.connected_at).toBeNull();
    const events = await stack.server.db.sql`select kind, rule from compliance_events where call_id = ${row.id}`;
    expect(events).toEqual([{ kind: 'abandoned', rule: 'rep_unavailable' }]);
  });

  it('the opt-out key during the message puts the number on the workspace’s do-not-call list and hangs up (47 CFR 64.1200(a)(7)(i)(B)); another key only hangs up', async () => {
    const { db } = stack.server;
    const { row, member, identity } = await answeredCall(db, 'off');
    await dialResultOf(row, identity);
    const optOut = (digits: string) => postSigned(twilioWebhookUrl(stack.server.url, 'optOut', row.id), stack.sim.authToken, { ...identity, CallStatus: 'in-progress', Digits: digits });
    const hangUp = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';
    expect(await optOut('1')).toBe(hangUp);
    expect(await db.sql`select 1 from do_not_call_numbers where phone_number = ${row.to_number} and workspace_id = ${member.workspace_id}`).toEqual([]);
    expect(await optOut('9')).toBe(hangUp);
    expect(await optOut('9')).toBe(hangUp);
    const listed = await db.sql<{ source: string; user_email: string }>`select source, user_email from do_not_call_numbers where phone_number = ${row.to_number} and workspace_id = ${member.workspace_id}`;
    expect(listed).toEqual([{ source: 'opt_out', user_email: member.user_email }]);
    const events = await db.sql<{ kind: string }>`select kind from compliance_events where phone_number = ${row.to_number} and workspace_id = ${member.workspace_id} order by id`;
    expect(events.map((e) => e.kind)).toEqual(['abandoned', 'dnc_added']);
    const outcomes = (await twilioLogsOf(db, row.id)).filter((l) => l.event === 'opt-out').map((l) => l.outcome);
    expect(outcomes).toEqual(['no_opt_out', 'do_not_call_added', 'already_listed']);
  });

  it('without a caller name or opt-out number, the message names the workspace and the call’s caller ID', async () => {
    const { row, identity } = await answeredCall(stack.server.db, 'recorded');
    const twiml = await dialResultOf(row, identity);
    expect(twiml).toContain('on behalf of Sunny Roofs');
    expect(twiml).toContain('call 5 0 0, 5 5 5, 0 0 0 6.');
  });

  it('the rep took the call: nothing is played, nothing abandoned', async () => {
    const { row, identity } = await answeredCall(stack.server.db, 'recorded');
    expect(await dialResultOf(row, identity, 'completed')).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
    expect((await readCall(stack.server.db, row.id)).status).toBe('in-progress');
    expect(await stack.server.db.sql`select 1 from compliance_events where call_id = ${row.id}`).toEqual([]);
  });

  it('an answering machine hears the message but is not an abandoned person', async () => {
    const { row, identity } = await answeredCall(stack.server.db, 'off', { answeredBy: 'machine_start' });
    expect(await dialResultOf(row, identity)).toContain('<Say>This call was made for telemarketing purposes');
    const [marked] = await stack.server.db.sql<{ abandoned_at: Date | null }>`select abandoned_at from active_calls where id = ${row.id}`;
    expect(marked?.abandoned_at).toBeNull();
  });

  it('a callee who hung up while the browser rang was abandoned if they had waited past 2 s (nothing left to play), not if they hung up at once', async () => {
    const { db } = stack.server;
    const waited = await answeredCall(db, 'off');
    await db.sql`update active_calls set status = 'completed', ended_at = answered_at + interval '5 seconds' where id = ${waited.row.id}`;
    expect(await dialResultOf(waited.row, waited.identity)).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
    const [history] = await db.sql<{ abandoned_at: Date | null; safe_harbor_at: Date | null }>`select abandoned_at, safe_harbor_at from call_logs where active_call_id = ${waited.row.id}`;
    expect(history?.abandoned_at).toBeInstanceOf(Date);
    expect(history?.safe_harbor_at).toBeNull();
    expect((await twilioLogsOf(db, waited.row.id)).find((l) => l.event === 'dial-result')?.outcome).toBe('abandoned');

    const quick = await answeredCall(db, 'off');
    await db.sql`update active_calls set status = 'completed', ended_at = answered_at + interval '1 second' where id = ${quick.row.id}`;
    await dialResultOf(quick.row, quick.identity);
    const [notAbandoned] = await db.sql<{ abandoned_at: Date | null }>`select abandoned_at from call_logs where active_call_id = ${quick.row.id}`;
    expect(notAbandoned?.abandoned_at).toBeNull();
  });

  it('TR3 the Dial’s action says the callee hung up before the status callback ended the row: no message; abandoned only past the 2 s', async () => {
    const { db } = stack.server;
    const hangUp = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';
    // Hung up at once: the action comes within the two seconds of the answer.
    const quick = await answeredCall(db, 'off');
    expect(await dialResultOf(quick.row, quick.identity, 'canceled', 'completed')).toBe(hangUp);
    const [quickRow] = await db.sql<{ abandoned_at: Date | null }>`select abandoned_at from active_calls where id = ${quick.row.id}`;
    expect(quickRow?.abandoned_at).toBeNull();
    // Waited five seconds for a rep, then hung up.
    const waited = await answeredCall(db, 'off');
    await db.sql`update active_calls set answered_at = now() - interval '5 seconds' where id = ${waited.row.id}`;
    expect(await dialResultOf(waited.row, waited.identity, 'canceled', 'completed')).toBe(hangUp);
    const [waitedRow] = await db.sql<{ abandoned_at: Date | null; safe_harbor_at: Date | null }>`select abandoned_at, safe_harbor_at from active_calls where id = ${waited.row.id}`;
    expect(waitedRow?.abandoned_at).toBeInstanceOf(Date);
    expect(waitedRow?.safe_harbor_at).toBeNull();
  });

  it('the dial gate decides: recording on, a California number → recorded_after_notice, and the callee hears the notice before the bridge', async () => {
    const { server, sim } = stack;
    const rep = await signUpProductionRep(server, 'consent-gate');
    const placed = await placeTwilioCall(rep.client, { to: '+14155550100', userEmail: rep.email, enableRecording: true });
    expect(placed.status).toBe(200);
    const row = await readCall(server.db, placed.body['callId'] as string);
    const [decided] = await server.db.sql<{ recording_decision: string }>`select recording_decision from active_calls where id = ${row.id}`;
    expect(decided?.recording_decision).toBe('recorded_after_notice');
    const simCall = await (async () => {
      for (let attempt = 0; attempt < 200; attempt++) {
        const call = sim.calls.get(placed.body['callSid'] as string);
        if (call?.twiml !== undefined) return call;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error('no answer TwiML');
    })();
    expect(simCall.said).toEqual(['This call may be recorded.']);

    // Recording off: the gate's decision is off, whatever the state.
    const off = await placeTwilioCall(rep.client, { to: '+14155550105', userEmail: rep.email, enableRecording: false, lineNumber: 2 });
    const [offDecided] = await server.db.sql<{ recording_decision: string }>`select recording_decision from active_calls where id = ${off.body['callId'] as string}`;
    expect(offDecided?.recording_decision).toBe('off');
    await invoke(rep.client, 'twilioEndCall', { callSid: off.body['callSid'], userEmail: rep.email });
  });
});
