import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BULK_LEADS } from '../src/core/lead-lists.js';
import { invoke } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { startTestServer, type SignedUpUser, type TestServer } from './support/server.js';

/**
 * BU1 bulkUpdateLeads acts on a selection in one transaction: admins and managers on any lead of
 * their workspace, a rep on their own only (and never assigning to someone else); nothing crosses
 * workspaces; a refused call writes nothing; do_not_call is never cleared; assign and delete are
 * audited.
 */
describe.each(DATABASE_KINDS)('bulk actions on leads on %s', (kind) => {
  let server: TestServer;
  let admin: SignedUpUser;
  let manager: SignedUpUser;
  let rep: SignedUpUser;
  let rep2: SignedUpUser;
  let outsider: SignedUpUser;
  let phoneCounter = 0;

  beforeAll(async () => {
    server = await startTestServer(kind);
    admin = await server.signUp('admin');
    manager = await server.signUpInto(admin.client, 'manager');
    rep = await server.signUpInto(admin.client, 'rep');
    rep2 = await server.signUpInto(admin.client, 'rep');
    outsider = await server.signUp('outsider');
  });
  afterAll(async () => {
    await server.close();
  });

  /** Leads owned by `owner`, written by SQL as an import would; their ids in order. */
  async function seedLeads(owner: string, count: number, fields: { status?: string; listId?: string | null } = {}): Promise<string[]> {
    const first = phoneCounter;
    phoneCounter += count;
    const rows = await server.db.sql<{ id: string }>`
      insert into leads (user_email, name, phone, status, list_id)
      select ${owner}, 'Lead ' || n, '+1415555' || lpad(n::text, 4, '0'), ${fields.status ?? 'new'}, ${fields.listId ?? null}::uuid
      from generate_series(${first + 1}::int, ${first + count}::int) n
      order by n
      returning id`;
    return rows.map((row) => row.id);
  }

  const leadsOf = (ids: readonly string[]) =>
    server.db.sql<{ id: string; user_email: string; status: string; list_id: string | null; callback_at: Date | null }>`
      select id, user_email, status, list_id, callback_at from leads
      where id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::text::jsonb)::uuid) order by id`;

  /** Everything a bulk call could write, to show that a refused one wrote nothing. */
  async function snapshot() {
    const [row] = await server.db.sql`
      select (select coalesce(jsonb_agg(l order by l.id), '[]'::jsonb) from leads l) as leads,
        (select count(*)::int from audit_log) as audit, (select count(*)::int from do_not_call_numbers) as do_not_call`;
    return row;
  }

  async function createList(client: SignedUpUser, name: string): Promise<string> {
    const created = await invoke(client.client, 'createLeadList', { name });
    expect(created.status).toBe(200);
    return (created.body['list'] as { id: string }).id;
  }

  it('BU1 a manager assigns leads of the workspace to a rep: the rep then reads them, the previous owner no longer does; audited once', async () => {
    const ids = await seedLeads(rep.email, 3);
    const [already] = await seedLeads(rep2.email, 1);
    const assigned = await invoke(manager.client, 'bulkUpdateLeads', { action: 'assign', leadIds: [...ids, already], userEmail: rep2.email.toUpperCase() });
    expect(assigned).toEqual({ status: 200, body: { updated: 3, skipped: [{ leadId: already, reason: 'unchanged' }] } });
    expect((await leadsOf(ids)).map((lead) => lead.user_email)).toEqual([rep2.email, rep2.email, rep2.email]);
    const { data: seenByRep2 } = await rep2.client.from('leads').select('id').in('id', ids);
    expect(seenByRep2).toHaveLength(3);
    const { data: seenByRep } = await rep.client.from('leads').select('id').in('id', ids);
    expect(seenByRep).toEqual([]);
    const audit = await server.db.sql<{ user_email: string; action: string; details: { count: number; leadIds: string[]; previousOwners: Record<string, number> } }>`
      select user_email, action, details from audit_log where action = 'leads.assigned' and target = ${rep2.email}`;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ user_email: manager.email, details: { count: 3, previousOwners: { [rep.email]: 3 } } });
    expect([...(audit[0]?.details.leadIds ?? [])].sort()).toEqual([...ids].sort());
  });

  it('BU1 the assignee must be an active member of the same workspace; a rep assigns to no one else; either refusal writes nothing', async () => {
    const ids = await seedLeads(rep.email, 2);
    const deactivated = await server.addMember(undefined, { workspaceId: (await workspaceOf(admin.email)), role: 'rep', isActive: false });
    const before = await snapshot();
    for (const userEmail of [outsider.email, deactivated.user_email, 'nobody@example.com']) {
      const refused = await invoke(manager.client, 'bulkUpdateLeads', { action: 'assign', leadIds: ids, userEmail });
      expect(refused, userEmail).toMatchObject({ status: 404, body: { code: 'not_found' } });
      expect(refused.body['message']).toContain('is not an active member of your workspace');
    }
    const byRep = await invoke(rep.client, 'bulkUpdateLeads', { action: 'assign', leadIds: ids, userEmail: rep2.email });
    expect(byRep).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await snapshot()).toEqual(before);
    // To themselves a rep may: their own leads are already theirs.
    const toSelf = await invoke(rep.client, 'bulkUpdateLeads', { action: 'assign', leadIds: ids, userEmail: rep.email });
    expect(toSelf.body).toEqual({ updated: 0, skipped: ids.map((leadId) => ({ leadId, reason: 'unchanged' })) });
    // A deactivated rep's leads go to an active one.
    const left = await seedLeads(deactivated.user_email, 2);
    const handedOver = await invoke(manager.client, 'bulkUpdateLeads', { action: 'assign', leadIds: left, userEmail: rep.email });
    expect(handedOver.body).toEqual({ updated: 2, skipped: [] });
    expect((await leadsOf(left)).map((lead) => lead.user_email)).toEqual([rep.email, rep.email]);
  });

  it('BU2 a rep acts on their own leads only: another rep\'s leads are not_found to them and stay as they were', async () => {
    const own = await seedLeads(rep.email, 2);
    const others = await seedLeads(rep2.email, 2);
    const before = await leadsOf(others);
    for (const body of [
      { action: 'set_status', status: 'interested' },
      { action: 'move', listId: null },
      { action: 'delete' },
    ]) {
      const answer = await invoke(rep.client, 'bulkUpdateLeads', { ...body, leadIds: others });
      expect(answer, body.action).toEqual({ status: 200, body: { updated: 0, skipped: others.map((leadId) => ({ leadId, reason: 'not_found' })) } });
    }
    expect(await leadsOf(others)).toEqual(before);
    const mixed = await invoke(rep.client, 'bulkUpdateLeads', { action: 'set_status', status: 'interested', leadIds: [...own, ...others] });
    expect(mixed.body).toEqual({ updated: 2, skipped: others.map((leadId) => ({ leadId, reason: 'not_found' })) });
    expect((await leadsOf(own)).map((lead) => lead.status)).toEqual(['interested', 'interested']);
    expect(await leadsOf(others)).toEqual(before);
  });

  it('BU3 nothing crosses workspaces: another workspace\'s admin finds none of our leads, and cannot move ours into their list nor theirs into ours', async () => {
    const ours = await seedLeads(rep.email, 2);
    const theirs = await seedLeads(outsider.email, 1);
    const ourList = await createList(manager, `Ours ${kind}`);
    const theirList = await createList(outsider, `Theirs ${kind}`);
    const before = await snapshot();
    for (const body of [
      { action: 'assign', userEmail: outsider.email },
      { action: 'set_status', status: 'do_not_call' },
      { action: 'move', listId: theirList },
      { action: 'delete' },
    ]) {
      const answer = await invoke(outsider.client, 'bulkUpdateLeads', { ...body, leadIds: ours });
      expect(answer, body.action).toEqual({ status: 200, body: { updated: 0, skipped: ours.map((leadId) => ({ leadId, reason: 'not_found' })) } });
    }
    expect(await invoke(manager.client, 'bulkUpdateLeads', { action: 'move', leadIds: ours, listId: theirList })).toMatchObject({ status: 404, body: { code: 'list_not_found' } });
    expect(await invoke(outsider.client, 'bulkUpdateLeads', { action: 'move', leadIds: theirs, listId: ourList })).toMatchObject({ status: 404, body: { code: 'list_not_found' } });
    expect(await snapshot()).toEqual(before);
    // Nor can any writer put a lead into another workspace's list: the database refuses it.
    await expect(server.db.sql`update leads set list_id = ${theirList} where id = ${ours[0] ?? ''}`).rejects.toThrow(/leads_list_same_workspace/);
  });

  it('BU4 move puts leads in a live list of the workspace or in none; an archived list takes none', async () => {
    const ids = await seedLeads(rep.email, 3);
    const listId = await createList(admin, `Move ${kind}`);
    const moved = await invoke(manager.client, 'bulkUpdateLeads', { action: 'move', leadIds: ids, listId });
    expect(moved.body).toEqual({ updated: 3, skipped: [] });
    expect((await leadsOf(ids)).map((lead) => lead.list_id)).toEqual([listId, listId, listId]);
    // A rep moves their own leads too.
    const out = await invoke(rep.client, 'bulkUpdateLeads', { action: 'move', leadIds: ids.slice(0, 1), listId: null });
    expect(out.body).toEqual({ updated: 1, skipped: [] });
    expect((await invoke(rep.client, 'bulkUpdateLeads', { action: 'move', leadIds: ids.slice(0, 1), listId: null })).body).toEqual({ updated: 0, skipped: [{ leadId: ids[0], reason: 'unchanged' }] });

    const { data: inList } = await rep.client.from('leads').select('id').eq('list_id', listId);
    expect(inList).toHaveLength(2);
    expect((await invoke(admin.client, 'archiveLeadList', { listId })).status).toBe(200);
    const before = await snapshot();
    expect(await invoke(manager.client, 'bulkUpdateLeads', { action: 'move', leadIds: ids, listId })).toMatchObject({ status: 409, body: { code: 'list_archived' } });
    expect(await snapshot()).toEqual(before);
  });

  it('BU5 set_status never clears do_not_call; setting do_not_call adds the number to the workspace\'s do-not-call list (source lead_status); a status change ends a promised callback', async () => {
    const [fresh, callback] = await seedLeads(rep.email, 2);
    const [blocked] = await seedLeads(rep.email, 1, { status: 'do_not_call' });
    await server.db.sql`update leads set status = 'callback', callback_at = now() + interval '1 day' where id = ${callback ?? ''}`;
    const ids = [fresh ?? '', callback ?? '', blocked ?? ''];
    const set = await invoke(manager.client, 'bulkUpdateLeads', { action: 'set_status', leadIds: ids, status: 'new' });
    expect(set.body).toEqual({ updated: 1, skipped: [{ leadId: fresh, reason: 'unchanged' }, { leadId: blocked, reason: 'do_not_call' }] });
    const after = new Map((await leadsOf(ids)).map((lead) => [lead.id, lead]));
    expect(after.get(blocked ?? '')?.status).toBe('do_not_call');
    expect(after.get(callback ?? '')).toMatchObject({ status: 'new', callback_at: null });

    for (const status of ['new', 'interested', 'callback', 'not_interested']) {
      const again = await invoke(admin.client, 'bulkUpdateLeads', { action: 'set_status', leadIds: [blocked], status });
      expect(again.body, status).toEqual({ updated: 0, skipped: [{ leadId: blocked, reason: 'do_not_call' }] });
    }
    const rows = await leadsOf([blocked ?? '']);
    expect(rows[0]?.status).toBe('do_not_call');

    const marked = await invoke(rep.client, 'bulkUpdateLeads', { action: 'set_status', leadIds: [fresh], status: 'do_not_call' });
    expect(marked.body).toEqual({ updated: 1, skipped: [] });
    const [lead] = await server.db.sql<{ phone: string }>`select phone from leads where id = ${fresh ?? ''}`;
    const listed = await server.db.sql`select user_email, source from do_not_call_numbers where phone_number = ${lead?.phone ?? ''}`;
    expect(listed).toEqual([{ user_email: rep.email, source: 'lead_status' }]);
    // The dialer refuses the number now.
    const dial = await invoke(rep.client, 'mockDialerCall', { to: lead?.phone, userEmail: rep.email, lineNumber: 1, leadId: fresh });
    expect(dial).toMatchObject({ status: 409, body: { code: 'do_not_call' } });
  });

  it('BU6 delete removes the leads with an audit row naming them; a lead on a live call is neither deleted nor reassigned', async () => {
    const ids = await seedLeads(rep.email, 3);
    const [onCall] = ids;
    await server.db.sql`
      insert into active_calls (user_email, lead_id, line_number, to_number, status)
      values (${rep.email}, ${onCall ?? ''}, 3, '+14155550199', 'dialing')`;
    const assigned = await invoke(manager.client, 'bulkUpdateLeads', { action: 'assign', leadIds: [onCall], userEmail: rep2.email });
    expect(assigned.body).toEqual({ updated: 0, skipped: [{ leadId: onCall, reason: 'on_call' }] });
    const deleted = await invoke(manager.client, 'bulkUpdateLeads', { action: 'delete', leadIds: ids });
    expect(deleted.body).toEqual({ updated: 2, skipped: [{ leadId: onCall, reason: 'on_call' }] });
    expect((await leadsOf(ids)).map((lead) => lead.id)).toEqual([onCall]);
    const [audit] = await server.db.sql<{ user_email: string; details: { count: number; leads: Array<{ id: string; name: string; phone: string; owner: string }> } }>`
      select user_email, details from audit_log where action = 'leads.deleted' order by id desc limit 1`;
    expect(audit?.user_email).toBe(manager.email);
    expect(audit?.details.count).toBe(2);
    expect(audit?.details.leads.map((lead) => lead.id).sort()).toEqual(ids.slice(1).sort());
    expect(audit?.details.leads[0]).toMatchObject({ owner: rep.email, name: expect.stringMatching(/^Lead /) as unknown, phone: expect.stringMatching(/^\+1415555/) as unknown });
    await server.db.sql`update active_calls set status = 'canceled', ended_at = now() where lead_id = ${onCall ?? ''}`;
  });

  it(`BU7 ${MAX_BULK_LEADS} leads in one call: set_status, move and assign each apply to all of them in one transaction`, async () => {
    const ids = await seedLeads(rep.email, MAX_BULK_LEADS);
    const listId = await createList(manager, `Big ${kind}`);
    for (const [body, check] of [
      [{ action: 'set_status', status: 'interested' }, (lead: { status: string }) => lead.status === 'interested'],
      [{ action: 'move', listId }, (lead: { list_id: string | null }) => lead.list_id === listId],
      [{ action: 'assign', userEmail: rep2.email }, (lead: { user_email: string }) => lead.user_email === rep2.email],
    ] as const) {
      const started = performance.now();
      const answer = await invoke(manager.client, 'bulkUpdateLeads', { ...body, leadIds: ids });
      const elapsed = performance.now() - started;
      expect(answer, body.action).toEqual({ status: 200, body: { updated: MAX_BULK_LEADS, skipped: [] } });
      expect((await leadsOf(ids)).every(check), body.action).toBe(true);
      expect(elapsed, `${body.action} took ${Math.round(elapsed)} ms`).toBeLessThan(15_000);
    }
    const deleted = await invoke(admin.client, 'bulkUpdateLeads', { action: 'delete', leadIds: ids });
    expect(deleted.body).toEqual({ updated: MAX_BULK_LEADS, skipped: [] });
    expect(await leadsOf(ids)).toEqual([]);
  });

  it('BU8 bad input is refused with a message naming the field, and writes nothing', async () => {
    const ids = await seedLeads(rep.email, 2);
    const tooMany = Array.from({ length: MAX_BULK_LEADS + 1 }, () => crypto.randomUUID());
    const before = await snapshot();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ action: 'set_status', leadIds: [], status: 'new' }, /leadIds names at least one lead/],
      [{ action: 'set_status', leadIds: tooMany, status: 'new' }, /leadIds names at most 1000 leads/],
      [{ action: 'set_status', leadIds: ['nope'], status: 'new' }, /each of leadIds must be a lead id/],
      [{ action: 'set_status', leadIds: ids, status: 'maybe' }, /status is one of new, /],
      [{ action: 'set_status', leadIds: ids }, /status/],
      [{ action: 'assign', leadIds: ids }, /userEmail/],
      [{ action: 'assign', leadIds: ids, userEmail: 'not an email' }, /userEmail must be an email address/],
      [{ action: 'move', leadIds: ids }, /listId/],
      [{ action: 'move', leadIds: ids, listId: 'nope' }, /listId must be a list id, or null/],
      [{ action: 'delete', leadIds: ids, status: 'new' }, /status/],
      [{ action: 'archive', leadIds: ids }, /action is one of assign, move, set_status, delete/],
      [{ leadIds: ids }, /action is one of assign, move, set_status, delete/],
    ];
    for (const [body, message] of cases) {
      const answer = await invoke(manager.client, 'bulkUpdateLeads', body);
      expect(answer, JSON.stringify(body).slice(0, 120)).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
      expect(answer.body['message'], JSON.stringify(body).slice(0, 120)).toMatch(message);
    }
    expect(await snapshot()).toEqual(before);
    // A lead named twice is acted on once.
    const twice = await invoke(manager.client, 'bulkUpdateLeads', { action: 'set_status', leadIds: [ids[0], ids[0]], status: 'busy' });
    expect(twice.body).toEqual({ updated: 1, skipped: [] });
  });

  async function workspaceOf(email: string): Promise<string> {
    const [row] = await server.db.sql<{ workspace_id: string }>`select workspace_id from workspace_members where user_email = ${email}`;
    if (!row) throw new Error(`${email} is no member`);
    return row.workspace_id;
  }
});
