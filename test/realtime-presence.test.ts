import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertLead } from './support/calls.js';
import { REALTIME_DATABASE_KINDS } from './support/databases.js';
import { subscribe } from './support/realtime.js';
import { startTestServer, waitFor, type SignedUpUser, type TestServer } from './support/server.js';

/**
 * Rep state `offline` from realtime presence: a member is online while a process holds at least
 * one joined, authenticated channel of theirs (realtime_presence), and each change of that goes
 * through dialer_sync_rep_state. A process that stops beating (killed) has its presence removed
 * by any other process; one that stops gracefully removes its own.
 */
describe.each(REALTIME_DATABASE_KINDS)('rep presence through realtime on %s', (kind) => {
  let server: TestServer;
  let admin: SignedUpUser;
  beforeAll(async () => {
    server = await startTestServer(kind);
    admin = await server.signUp('admin');
  });
  afterAll(async () => {
    await server.close();
  });

  const stateOf = async (email: string) => (await server.db.sql<{ state: string }>`select state from rep_states where user_email = ${email}`)[0]?.state;
  const waitForState = (email: string, state: string, timeoutMs = 10_000) =>
    waitFor(async () => ((await stateOf(email)) === state ? state : undefined), timeoutMs, `${email} to be ${state} (is ${String(state)})`);
  const presenceOf = (email: string) => server.db.sql<{ instance_id: string }>`select instance_id::text from realtime_presence where user_email = ${email}`;

  it('a rep is offline until a client of theirs subscribes, available while one is, and offline when the last one leaves', async () => {
    const rep = await server.signUpInto(admin.client, 'rep');
    const secondTab = server.client();
    expect((await secondTab.auth.signInWithPassword({ email: rep.email, password: 'correct horse battery' })).error).toBeNull();
    expect(await stateOf(rep.email)).toBe('offline');

    const first = subscribe(rep.client, 'active_calls', `user_email=eq.${rep.email}`);
    await first.waitForState('SUBSCRIBED');
    await waitForState(rep.email, 'available');
    expect(await presenceOf(rep.email)).toEqual([{ instance_id: server.realtime.presence.instanceId }]);

    // Two tabs: closing one leaves the rep online.
    const second = subscribe(secondTab, 'leads', `user_email=eq.${rep.email}`);
    await second.waitForState('SUBSCRIBED');
    await rep.client.removeAllChannels();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await stateOf(rep.email)).toBe('available');

    await secondTab.removeAllChannels();
    await waitForState(rep.email, 'offline');
    expect(await presenceOf(rep.email)).toEqual([]);
    const log = await server.db.sql<{ state: string }>`select state from rep_state_log where user_email = ${rep.email} order by id`;
    expect(log.map((row) => row.state)).toEqual(['available', 'offline']);
  });

  it('a process that stopped beating (killed) is removed by another, and its members go offline unless connected elsewhere', async () => {
    const gone = await server.signUpInto(admin.client, 'rep', 'gone');
    const stillHere = await server.signUpInto(admin.client, 'rep', 'here');
    // A process that had both online, then died: its last heartbeat is now older than the timeout.
    const [dead] = await server.db.sql<{ id: string }>`insert into realtime_instances (instance_id) values (gen_random_uuid()) returning instance_id::text as id`;
    for (const email of [gone.email, stillHere.email]) {
      await server.db.sql`insert into realtime_presence (instance_id, user_email) values (${dead?.id}, ${email})`;
      await server.db.sql`select dialer_sync_rep_state(${email})`;
    }
    expect([await stateOf(gone.email), await stateOf(stillHere.email)]).toEqual(['available', 'available']);
    const here = subscribe(stillHere.client, 'active_calls', `user_email=eq.${stillHere.email}`);
    await here.waitForState('SUBSCRIBED');
    await waitFor(async () => ((await presenceOf(stillHere.email)).length === 2 ? true : undefined), 10_000, 'presence on this process');
    await server.db.sql`update realtime_instances set heartbeat_at = now() - dialer_presence_timeout() - interval '1 second' where instance_id = ${dead?.id}`;

    // The next heartbeat of a live process (every 10 s; called here at once) removes it.
    await server.realtime.presence.heartbeat();
    expect(await server.db.sql`select 1 from realtime_instances where instance_id = ${dead?.id}`).toEqual([]);
    expect([await stateOf(gone.email), await stateOf(stillHere.email)]).toEqual(['offline', 'available']);
    await stillHere.client.removeAllChannels();
  });

  it('a presence write that fails does not stop delivery, and is made on the next heartbeat', async () => {
    const rep = await server.signUpInto(admin.client, 'rep', 'unlucky');
    await server.db.exec(`
      create function refuse_presence() returns trigger language plpgsql as $$ begin raise exception 'presence refused for the test'; end $$;
      create trigger refuse_presence before insert on realtime_presence for each row execute function refuse_presence();`);
    try {
      const sub = subscribe(rep.client, 'leads', `user_email=eq.${rep.email}`);
      await sub.waitForState('SUBSCRIBED');
      const leadId = await insertLead(server.db, rep.email);
      const [change] = await sub.waitForChanges(1);
      expect(change).toMatchObject({ eventType: 'INSERT', new: { id: leadId } });
      expect(await stateOf(rep.email)).toBe('offline');
    } finally {
      await server.db.exec('drop trigger refuse_presence on realtime_presence; drop function refuse_presence();');
    }
    await server.realtime.presence.heartbeat();
    expect(await stateOf(rep.email)).toBe('available');
    await rep.client.removeAllChannels();
    await waitForState(rep.email, 'offline');
  });

  it('a graceful stop removes its own presence at once; clients that reconnect to the new process are online again', async () => {
    const rep = await server.signUpInto(admin.client, 'rep', 'restart');
    const sub = subscribe(rep.client, 'active_calls', `user_email=eq.${rep.email}`);
    await sub.waitForState('SUBSCRIBED');
    await waitForState(rep.email, 'available');
    const before = server.realtime.presence.instanceId;

    await server.stopRealtime();
    expect(await stateOf(rep.email)).toBe('offline');
    expect(await server.db.sql`select 1 from realtime_instances where instance_id = ${before}`).toEqual([]);

    await server.restartRealtime();
    // realtime-js reconnects by itself and rejoins its channels.
    await waitForState(rep.email, 'available', 20_000);
    expect(await presenceOf(rep.email)).toEqual([{ instance_id: server.realtime.presence.instanceId }]);
    await rep.client.removeAllChannels();
  });
});
