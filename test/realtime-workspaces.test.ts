import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMBER_DEACTIVATED_REASON } from '../src/realtime/room.js';
import { fastConfig, insertLead, invoke, waitForEnd } from './support/calls.js';
import { REALTIME_DATABASE_KINDS } from './support/databases.js';
import { subscribe, type Change, type Subscription } from './support/realtime.js';
import { startTestServer, type SignedUpUser, type TestServer } from './support/server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Long enough for a change the server would send to have arrived over loopback. */
const QUIET_MS = 400;

const callIdsOf = (changes: readonly Change[]) => [...new Set(changes.map((c) => (c.new as { id?: string }).id ?? (c.old as { id?: string }).id))].sort();

/**
 * WS1 end to end with supabase-js clients over WebSockets: who receives a change is who may
 * read the row (a rep their own, admins and managers their workspace's, nobody another
 * workspace's), and a change of role or activity applies live, on every capture.
 */
describe.each(REALTIME_DATABASE_KINDS)('WS1 realtime by workspace and role on %s', (kind) => {
  let server: TestServer;
  let admin: SignedUpUser;
  let manager: SignedUpUser;
  let rep: SignedUpUser;
  let otherRep: SignedUpUser;
  let stranger: SignedUpUser;
  let strangerManager: SignedUpUser;
  beforeAll(async () => {
    server = await startTestServer(kind);
    admin = await server.signUp('admin');
    manager = await server.signUpInto(admin.client, 'manager');
    rep = await server.signUpInto(admin.client, 'rep');
    otherRep = await server.signUpInto(admin.client, 'rep');
    // Another team on the same install.
    stranger = await server.signUp('stranger');
    strangerManager = await server.signUpInto(stranger.client, 'manager');
  });
  afterAll(async () => {
    for (const user of [admin, manager, rep, otherRep, stranger, strangerManager]) await user.client.removeAllChannels();
    await server.close();
  });

  async function insertCall(email: string, line: number): Promise<string> {
    const [row] = await server.db.sql<{ id: string }>`
      insert into active_calls (user_email, line_number, to_number, call_sid)
      values (${email}, ${line}, '+14155550190', ${`CA${crypto.randomUUID().replaceAll('-', '')}`}) returning id`;
    await server.db.sql`update active_calls set status = 'busy' where id = ${row?.id}`;
    return row?.id ?? '';
  }

  async function subscribed(...subs: Subscription[]): Promise<void> {
    await Promise.all(subs.map((sub) => sub.waitForState('SUBSCRIBED')));
  }

  const memberId = async (email: string) => (await server.db.sql<{ user_id: string }>`select user_id from workspace_members where user_email = ${email}`)[0]?.user_id;

  it("WS1 a manager and the admin receive a rep's calls, another workspace's manager nothing, a rep only their own; the seed's filters keep working", async () => {
    const leadId = await insertLead(server.db, rep.email);
    const managerAll = subscribe(manager.client, 'active_calls', undefined);
    const managerOfRep = subscribe(manager.client, 'active_calls', `user_email=eq.${rep.email}`);
    const adminAll = subscribe(admin.client, 'active_calls', undefined);
    const strangerAll = subscribe(strangerManager.client, 'active_calls', undefined);
    const strangerSpy = subscribe(strangerManager.client, 'active_calls', `user_email=eq.${rep.email}`);
    const otherRepAll = subscribe(otherRep.client, 'active_calls', undefined);
    const repSeed = subscribe(rep.client, 'active_calls', `user_email=eq.${rep.email}`);
    const repLead = subscribe(rep.client, 'active_calls', `lead_id=eq.${leadId}`);
    const repNoLead = subscribe(rep.client, 'active_calls', 'lead_id=is.null');
    await subscribed(managerAll, managerOfRep, adminAll, strangerAll, strangerSpy, otherRepAll, repSeed, repLead, repNoLead);

    const withLead = await invoke(rep.client, 'mockDialerCall', { to: '+14155550142', userEmail: rep.email, lineNumber: 1, leadId, mockConfig: fastConfig('busy') });
    const withoutLead = await invoke(rep.client, 'mockDialerCall', { to: '+14155550192', userEmail: rep.email, lineNumber: 2, mockConfig: fastConfig('no-answer') });
    expect([withLead.status, withoutLead.status]).toEqual([200, 200]);
    const calls = [withLead.body['callId'] as string, withoutLead.body['callId'] as string];
    for (const id of calls) await waitForEnd(server.db, id);
    // INSERT and the final UPDATE of each call, at least.
    const seen = await repSeed.waitForChanges(4);
    await sleep(QUIET_MS);

    expect(callIdsOf(seen)).toEqual([...calls].sort());
    expect(callIdsOf(repLead.changes)).toEqual([calls[0]]);
    expect(callIdsOf(repNoLead.changes)).toEqual([calls[1]]);
    for (const sub of [managerAll, managerOfRep, adminAll]) expect(sub.changes.map((c) => [c.eventType, c.new])).toEqual(repSeed.changes.map((c) => [c.eventType, c.new]));
    expect([strangerAll.changes, strangerSpy.changes, otherRepAll.changes]).toEqual([[], [], []]);

    // The rep's team sees the rep's state change with the calls; the other team does not.
    const repStates = subscribe(manager.client, 'rep_states', `user_email=eq.${rep.email}`);
    const strangerStates = subscribe(strangerManager.client, 'rep_states', undefined);
    await subscribed(repStates, strangerStates);
    await insertCall(rep.email, 3);
    await repStates.waitForChanges(2);
    await sleep(QUIET_MS);
    expect(repStates.changes.map((c) => (c.new as { state?: string }).state)).toContain('on_call');
    expect(strangerStates.changes.filter((c) => (c.new as { user_email?: string }).user_email === rep.email)).toEqual([]);
    for (const user of [admin, manager, rep, otherRep, strangerManager]) await user.client.removeAllChannels();
  });

  it('WS1 a promoted rep starts receiving the workspace’s calls and a demoted one stops, at once', async () => {
    const promoted = subscribe(otherRep.client, 'active_calls', undefined);
    const watcher = subscribe(admin.client, 'active_calls', `user_email=eq.${rep.email}`);
    await subscribed(promoted, watcher);
    const otherRepId = await memberId(otherRep.email);

    expect((await invoke(admin.client, 'setMemberRole', { userId: otherRepId, role: 'manager' })).status).toBe(200);
    const whileManager = await insertCall(rep.email, 1);
    await promoted.waitForChanges(2);
    expect(callIdsOf(promoted.changes)).toEqual([whileManager]);

    expect((await invoke(admin.client, 'setMemberRole', { userId: otherRepId, role: 'rep' })).status).toBe(200);
    const afterDemotion = await insertCall(rep.email, 2);
    await watcher.waitForChanges(4);
    await sleep(QUIET_MS);
    expect(callIdsOf(watcher.changes)).toEqual([whileManager, afterDemotion].sort());
    expect(callIdsOf(promoted.changes)).toEqual([whileManager]);
    // Still their own rows, as a rep.
    const own = await insertCall(otherRep.email, 1);
    await promoted.waitForChanges(4);
    expect(callIdsOf(promoted.changes)).toEqual([whileManager, own].sort());
    await otherRep.client.removeAllChannels();
    await admin.client.removeAllChannels();
  });

  it('WS1 a role change and a call in one transaction: the call is judged by the new role, on every capture', async () => {
    const rep2 = await server.signUpInto(admin.client, 'rep', 'same-tx');
    const promoted = subscribe(rep2.client, 'active_calls', undefined);
    const watcher = subscribe(admin.client, 'active_calls', `user_email=eq.${rep.email}`);
    await subscribed(promoted, watcher);
    const promotedCall = await server.db.transaction(async (tx) => {
      await tx.sql`update workspace_members set role = 'manager' where user_email = ${rep2.email}`;
      const [row] = await tx.sql<{ id: string }>`insert into active_calls (user_email, line_number, to_number) values (${rep.email}, 1, '+14155550193') returning id`;
      await tx.sql`update active_calls set status = 'busy' where id = ${row?.id}`;
      return row?.id ?? '';
    });
    const demotedCall = await server.db.transaction(async (tx) => {
      await tx.sql`update workspace_members set role = 'rep' where user_email = ${rep2.email}`;
      const [row] = await tx.sql<{ id: string }>`insert into active_calls (user_email, line_number, to_number) values (${rep.email}, 2, '+14155550194') returning id`;
      await tx.sql`update active_calls set status = 'busy' where id = ${row?.id}`;
      return row?.id ?? '';
    });
    await watcher.waitForChanges(4);
    await sleep(QUIET_MS);
    expect(callIdsOf(watcher.changes)).toEqual([promotedCall, demotedCall].sort());
    expect(callIdsOf(promoted.changes)).toEqual([promotedCall]);
    await rep2.client.removeAllChannels();
    await admin.client.removeAllChannels();
  });

  it("WS1 a row too large to announce whole (NOTIFY's 8000 bytes) still reaches the workspace's managers when deleted", async () => {
    const leadId = await insertLead(server.db, rep.email, 'Large notes', '+14155550177');
    await server.db.sql`update leads set notes = ${'n'.repeat(9_000)} where id = ${leadId}`;
    const managerLeads = subscribe(manager.client, 'leads', undefined, 'DELETE');
    const strangerLeads = subscribe(strangerManager.client, 'leads', undefined, 'DELETE');
    await subscribed(managerLeads, strangerLeads);
    await server.db.sql`delete from leads where id = ${leadId}`;
    const [deleted] = await managerLeads.waitForChanges(1);
    expect(deleted).toMatchObject({ eventType: 'DELETE', old: { id: leadId, user_email: rep.email } });
    await sleep(QUIET_MS);
    expect(strangerLeads.changes).toEqual([]);
    await manager.client.removeAllChannels();
    await strangerManager.client.removeAllChannels();
  });

  it('WS1 a member deactivated while subscribed has their channels closed with the reason, and receives nothing more', async () => {
    const target = await server.signUpInto(admin.client, 'manager', 'leaving');
    const own = subscribe(target.client, 'active_calls', `user_email=eq.${target.email}`);
    const team = subscribe(target.client, 'active_calls', undefined);
    const watcher = subscribe(admin.client, 'active_calls', `user_email=eq.${rep.email}`);
    await subscribed(own, team, watcher);

    expect((await invoke(admin.client, 'setMemberActive', { userId: target.userId, isActive: false })).status).toBe(200);
    for (const sub of [own, team]) {
      await sub.waitForState('CLOSED');
      expect(sub.system).toContainEqual(expect.objectContaining({ status: 'error', message: MEMBER_DEACTIVATED_REASON }));
    }
    const afterwards = await insertCall(rep.email, 1);
    await watcher.waitForChanges(2);
    await sleep(QUIET_MS);
    expect(callIdsOf(watcher.changes)).toEqual([afterwards]);
    expect(callIdsOf(team.changes)).toEqual([]);

    // Rejoining is refused with the same reason while the member stays deactivated.
    const again = subscribe(target.client, 'active_calls', undefined);
    const refused = await again.waitForState('CHANNEL_ERROR');
    expect(refused.error).toContain(MEMBER_DEACTIVATED_REASON);
    await target.client.removeAllChannels();
    await admin.client.removeAllChannels();
  });
});
