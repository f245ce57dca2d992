import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchCall, type CallWatchState } from '../src/client/call-watcher.js';
import { isTerminal } from '../src/core/call-status.js';
import { fastConfig, insertLead, invoke } from './support/calls.js';
import { REALTIME_DATABASE_KINDS } from './support/databases.js';
import { startTestServer, waitFor, type TestServer } from './support/server.js';

describe.each(REALTIME_DATABASE_KINDS)('RT1 the call subscription with its polling fallback on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server.close();
  });

  function record(states: CallWatchState[]) {
    return (state: CallWatchState) => states.push(state);
  }

  it('follows a hand-dialled call live from dialing to its end, ignoring lead calls', async () => {
    const { client, email } = await server.signUpWithToken('watch-live');
    const states: CallWatchState[] = [];
    const stop = watchCall(client, { userEmail: email, leadId: null }, record(states));
    await waitFor(async () => (states.at(-1)?.mode === 'live' ? true : undefined));
    const leadId = await insertLead(server.db, email, 'Ada Lovelace', '+14155550196');
    await invoke(client, 'mockDialerCall', { to: '+14155550196', userEmail: email, leadId, lineNumber: 2, mockConfig: fastConfig('busy') });
    const placed = await invoke(client, 'mockDialerCall', { to: '+14155550197', userEmail: email, lineNumber: 1, mockConfig: fastConfig('completed', { talkSeconds: [0.3, 0.3] }) });
    const final = await waitFor(async () => {
      const call = states.at(-1)?.call;
      return call && isTerminal(call.status) ? call : undefined;
    });
    stop();
    expect(final).toMatchObject({ id: placed.body['callId'], status: 'completed', lead_id: null });
    // Statuses only ever move forward; a refetch racing a change may skip one, never reorder them.
    const order = ['dialing', 'ringing', 'in-progress', 'completed'];
    const seen = [...new Set(states.map((s) => s.call?.status).filter((status) => status !== undefined))];
    expect(seen.map((status) => order.indexOf(status))).toEqual([...seen.map((status) => order.indexOf(status))].sort());
    expect(seen.at(-1)).toBe('completed');
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(states.every((s) => s.call === null || s.call.lead_id === null)).toBe(true);
    expect(states.some((s) => s.mode === 'polling')).toBe(false);
  });

  it('RT1 with the realtime server down mid-call, it polls and still reaches the final status, then goes live again', async () => {
    const { client, email } = await server.signUpWithToken('watch-poll');
    const leadId = await insertLead(server.db, email, 'Ada Lovelace', '+14155550198');
    const states: CallWatchState[] = [];
    const stop = watchCall(client, { userEmail: email, leadId }, record(states), { pollIntervalMs: 200, resubscribeDelayMs: 200 });
    await waitFor(async () => (states.at(-1)?.mode === 'live' ? true : undefined));
    const placed = await invoke(client, 'mockDialerCall', {
      to: '+14155550198',
      userEmail: email,
      leadId,
      lineNumber: 1,
      mockConfig: fastConfig('completed', { ringSeconds: [0.4, 0.4], talkSeconds: [1.5, 1.5] }),
    });
    await waitFor(async () => (states.at(-1)?.call?.status === 'in-progress' ? true : undefined));

    await server.stopRealtime();
    const final = await waitFor(async () => {
      const last = states.at(-1);
      return last?.call && isTerminal(last.call.status) ? last : undefined;
    });
    expect(final.mode).toBe('polling');
    expect(final.call).toMatchObject({ id: placed.body['callId'], status: 'completed', lead_id: leadId });

    await server.restartRealtime();
    await waitFor(async () => (states.at(-1)?.mode === 'live' ? true : undefined), 20_000, 'live again');
    stop();
  });
});
