import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { startTestServer, type SignedUpUser, type TestServer } from './support/server.js';

/**
 * `getDialerSession` (issue 14): the session screen's read. The queue it shows is the runner's
 * (dialer_session_queue, migration 0027, which reserveNextLeads reserves from) without reserving
 * anything; a rep reads their own
 * session, admins and managers any of their workspace's (WS1). The test server runs no session
 * runner, so nothing here dials.
 */
describe.each(DATABASE_KINDS)('getDialerSession on %s', (kind) => {
  let server: TestServer;
  let admin: SignedUpUser;
  let manager: SignedUpUser;
  let rep: SignedUpUser;
  let otherRep: SignedUpUser;
  let outsider: SignedUpUser;
  let listId: string;
  let phoneCounter = 0;

  beforeAll(async () => {
    server = await startTestServer(kind);
    admin = await server.signUp('view-admin');
    manager = await server.signUpInto(admin.client, 'manager', 'view-manager');
    rep = await server.signUpInto(admin.client, 'rep', 'view-rep');
    otherRep = await server.signUpInto(admin.client, 'rep', 'view-rep2');
    outsider = await server.signUp('view-outsider');
    const created = await invoke(admin.client, 'createLeadList', { name: 'View list' });
    listId = String((created.body['list'] as { id: string }).id);
  });
  afterAll(async () => {
    await server.close();
  });

  const t0 = Date.now();
  /** A lead of the list owned by `owner`, added `minute` minutes into yesterday. */
  async function addLead(owner: SignedUpUser, minute: number, fields: { status?: string; callbackAt?: Date; company?: string } = {}): Promise<string> {
    const phone = `+1415557${String(++phoneCounter).padStart(4, '0')}`;
    const createdAt = new Date(t0 - 86_400_000 + minute * 60_000).toISOString();
    const [row] = await server.db.sql<{ id: string }>`
      insert into leads (user_email, name, phone, company, list_id, status, callback_at, created_at)
      values (${owner.email}, ${`Lead ${minute}`}, ${phone}, ${fields.company ?? null}, ${listId}, ${fields.status ?? 'new'},
              ${fields.callbackAt?.toISOString() ?? null}::timestamptz, ${createdAt}::timestamptz)
      returning id`;
    if (!row) throw new Error('lead insert returned nothing');
    return row.id;
  }
  type View = {
    session: { id: string; status: string; stopReason: string | null; lines: number; idleReason: string | null; pauseReason: string | null } | null;
    list: { id: string; name: string; wrapUpSeconds: number | null; voicemailAction: string } | null;
    queue: { next: { id: string; name: string; company: string | null; phone: string; callbackAt: string | null }[]; remaining: number };
    talkCall: { callId: string; leadId: string | null; status: string; lineNumber: number; endedAt: string | null } | null;
  };
  const view = async (user: SignedUpUser, body: Record<string, unknown> = {}) => {
    const answer = await invoke(user.client, 'getDialerSession', body);
    expect(answer.status).toBe(200);
    return answer.body as unknown as View;
  };

  it('the queue: due callbacks first, then the list order, five named and the rest counted; never do_not_call, a live call, a reserved lead or a lead the session worked; nothing is reserved by reading', async () => {
    expect(await view(rep)).toEqual({ session: null, list: null, queue: { next: [], remaining: 0 }, talkCall: null });
    const plain = [await addLead(rep, 3), await addLead(rep, 1, { company: 'Acme' }), await addLead(rep, 2), await addLead(rep, 7), await addLead(rep, 8), await addLead(rep, 9)];
    const dueLater = await addLead(rep, 10, { status: 'callback', callbackAt: new Date(t0 - 60_000) });
    const dueFirst = await addLead(rep, 11, { status: 'callback', callbackAt: new Date(t0 - 3_600_000) });
    const notDue = await addLead(rep, 0, { status: 'callback', callbackAt: new Date(t0 + 3_600_000) });
    await addLead(rep, 4, { status: 'do_not_call' });
    const live = await addLead(rep, 5);
    await server.db.sql`insert into active_calls (user_email, lead_id, line_number, to_number) values (${otherRep.email}, ${live}, 1, '+14155570999')`;
    const reserved = await addLead(rep, 6);
    const otherSession = await invoke(otherRep.client, 'startDialerSession', { listId, lines: 1 });
    const otherSessionId = (otherSession.body['session'] as { id: string }).id;
    await server.db.sql`
      insert into lead_reservations (lead_id, session_id, workspace_id, reserved_at, expires_at)
      select ${reserved}, id, workspace_id, now(), now() + interval '1 hour' from dialer_sessions where id = ${otherSessionId}`;

    const started = await invoke(rep.client, 'startDialerSession', { listId, lines: 2 });
    const sessionId = (started.body['session'] as { id: string }).id;
    const worked = plain[4] ?? '';
    await server.db.sql`
      insert into dialer_session_leads (session_id, lead_id, workspace_id, outcome, skip_reason, at)
      select id, ${worked}, workspace_id, 'skipped', 'outside_calling_hours', now() from dialer_sessions where id = ${sessionId}`;

    const answer = await view(rep);
    expect(answer.session).toMatchObject({ id: sessionId, status: 'active', lines: 2, stopReason: null, idleReason: null, pauseReason: null });
    expect(answer.list).toEqual({ id: listId, name: 'View list', wrapUpSeconds: null, voicemailAction: expect.any(String) });
    // Queue: dueFirst, dueLater, then by created_at: notDue (minute 0), minute 1, 2, 3, 7, 9 (minute 8 was worked).
    const inOrder = [dueFirst, dueLater, notDue, plain[1], plain[2], plain[0], plain[3], plain[5]];
    expect(answer.queue.next.map((lead) => lead.id)).toEqual(inOrder.slice(0, 5));
    expect(answer.queue.remaining).toBe(inOrder.length);
    expect(answer.queue.next[0]).toMatchObject({ name: 'Lead 11', company: null, callbackAt: new Date(t0 - 3_600_000).toISOString() });
    expect(answer.queue.next.find((lead) => lead.id === plain[1])).toMatchObject({ company: 'Acme', phone: expect.stringMatching(/^\+1415557/) });
    const [held] = await server.db.sql<{ n: number }>`select count(*)::int as n from lead_reservations where session_id = ${sessionId}`;
    expect(held?.n).toBe(0);

    // A saved filter narrows it the same way: callbacksOnly takes the due callbacks alone.
    await invoke(rep.client, 'stopDialerSession', { sessionId });
    const callbacks = await invoke(rep.client, 'startDialerSession', { listId, lines: 1, filter: { callbacksOnly: true } });
    const callbacksId = (callbacks.body['session'] as { id: string }).id;
    const onlyDue = await view(rep);
    expect(onlyDue.queue.next.map((lead) => lead.id)).toEqual([dueFirst, dueLater]);
    expect(onlyDue.queue.remaining).toBe(2);

    // A paused session shows what it would dial on resume; a stopped one is the rep's latest, with its reason.
    await invoke(rep.client, 'pauseDialerSession', { sessionId: callbacksId });
    expect((await view(rep)).session).toMatchObject({ id: callbacksId, status: 'paused' });
    expect((await view(rep)).queue.remaining).toBe(2);
    await invoke(rep.client, 'stopDialerSession', { sessionId: callbacksId });
    expect((await view(rep)).session).toMatchObject({ id: callbacksId, status: 'stopped', stopReason: 'rep_stopped' });
    await invoke(otherRep.client, 'stopDialerSession', { sessionId: otherSessionId });
  });

  it('who may read: the rep their own, managers and admins any session of their workspace; another rep and another workspace get session_not_found', async () => {
    const started = await invoke(rep.client, 'startDialerSession', { listId, lines: 3 });
    const sessionId = (started.body['session'] as { id: string }).id;
    expect((await view(rep, { sessionId })).session?.id).toBe(sessionId);
    expect((await view(manager, { sessionId })).session?.id).toBe(sessionId);
    expect((await view(admin, { sessionId })).session?.id).toBe(sessionId);
    for (const user of [otherRep, outsider]) {
      const answer = await invoke(user.client, 'getDialerSession', { sessionId });
      expect(answer.status).toBe(404);
      expect(answer.body['code']).toBe('session_not_found');
    }
    expect((await invoke(rep.client, 'getDialerSession', { sessionId: 'nope' })).body['code']).toBe('invalid_request');
    expect((await invoke(rep.client, 'getDialerSession', { sessionId, extra: 1 })).body['code']).toBe('invalid_request');
    // Without an id, the manager gets their own (none), not the rep's.
    expect((await view(manager)).session).toBeNull();
    await invoke(rep.client, 'stopDialerSession', { sessionId });
  });

  it('talkCall: the connected call while there is one, then the last call the rep spoke on (a machine or an abandoned answer is not one)', async () => {
    const started = await invoke(rep.client, 'startDialerSession', { listId, lines: 3 });
    const sessionId = (started.body['session'] as { id: string }).id;
    const leadId = await addLead(rep, 30);
    const insertCall = async (line: number, fields: { answeredBy?: string; abandoned?: boolean; ended?: boolean; connected?: boolean }) => {
      // As the status machine has it: dialing, then answered, then (maybe) ended.
      const [row] = await server.db.sql<{ id: string }>`
        insert into active_calls (user_email, lead_id, line_number, to_number, session_id)
        values (${rep.email}, ${leadId}, ${line}, '+14155570100', ${sessionId}) returning id`;
      if (!row) throw new Error('call insert returned nothing');
      await server.db.sql`update active_calls set status = 'in-progress', answered_at = now(), answered_by = ${fields.answeredBy ?? 'human'} where id = ${row.id}`;
      // The session connected it to the rep (the runner's claim), or not.
      if (fields.connected) await server.db.sql`update active_calls set connected_at = now() where id = ${row.id}`;
      if (fields.abandoned) await server.db.sql`update active_calls set abandoned_at = now() where id = ${row.id}`;
      if (fields.ended) await server.db.sql`update active_calls set status = 'completed', ended_at = now() where id = ${row.id}`;
      if (!row) throw new Error('call insert returned nothing');
      return row.id;
    };
    expect((await view(rep)).talkCall).toBeNull();
    const spoken = await insertCall(1, { ended: true, connected: true });
    await insertCall(2, { answeredBy: 'machine_end_beep', ended: true });
    await insertCall(3, { abandoned: true, ended: true });
    // Answered by a person who hung up before the session took them: never the rep's.
    await insertCall(3, { ended: true });
    expect((await view(rep)).talkCall).toMatchObject({ callId: spoken, leadId, lineNumber: 1, status: 'completed', lead: { id: leadId, ownerEmail: rep.email } });
    const connected = await insertCall(2, { connected: true });
    await server.db.sql`update dialer_sessions set connected_call_id = ${connected} where id = ${sessionId}`;
    expect((await view(rep)).talkCall).toMatchObject({ callId: connected, lineNumber: 2, status: 'in-progress', endedAt: null });
    await server.db.sql`update active_calls set status = 'completed', ended_at = now() where id = ${connected}`;
    await invoke(rep.client, 'stopDialerSession', { sessionId });
  });

  it('a lead called in the list\'s current pass is not queued again, unless a callback set since is due', async () => {
    const started = await invoke(rep.client, 'startDialerSession', { listId, lines: 1 });
    const sessionId = (started.body['session'] as { id: string }).id;
    // The test server's functions run on the dial gate's clock (days ahead): the pass starts a minute ago by the database's.
    await server.db.sql`update dialer_sessions set started_at = now() - interval '1 minute' where id = ${sessionId}`;
    const before = new Set((await view(rep)).queue.next.map((lead) => lead.id));
    const remaining = (await view(rep)).queue.remaining;
    const called = await addLead(rep, -10);
    const promised = await addLead(rep, -9);
    expect((await view(rep)).queue.remaining).toBe(remaining + 2);
    // Both called after the session started (another rep on the list, say); one was promised a callback, due now.
    await server.db.sql`update leads set last_called_at = now() + interval '1 second' where id in (${called}, ${promised})`;
    await server.db.sql`update leads set status = 'callback', callback_at = now() + interval '2 seconds' where id = ${promised}`;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const answer = await view(rep);
    expect(answer.queue.remaining).toBe(remaining + 1);
    expect(answer.queue.next.map((lead) => lead.id)).toContain(promised);
    expect(answer.queue.next.some((lead) => lead.id === called)).toBe(false);
    expect(before.has(called)).toBe(false);
    await invoke(rep.client, 'stopDialerSession', { sessionId });
  });
});
