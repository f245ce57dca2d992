import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.js';
import { startTestServer, type SignedUpUser, type TestServer } from './support/server.js';

/** Every table whose rows belong to a member (user_email), as clients read them over REST. */
const OWNED_TABLES = ['leads', 'active_calls', 'call_logs', 'user_stats', 'dialer_settings', 'workspace_members', 'rep_states', 'rep_state_log'] as const;
/** Tables of the whole workspace: every member reads every row of theirs (user_email is who added it). */
const WORKSPACE_TABLES = ['do_not_call_numbers'] as const;

async function emailsSeen(client: SupabaseClient, table: string): Promise<string[]> {
  const { data, error } = await client.from(table).select('user_email');
  if (error) throw new Error(`${table}: ${error.message}`);
  return [...new Set((data as Array<{ user_email: string }>).map((row) => row.user_email))].sort();
}

/** One row of each owned table for the member, written as the server would (by SQL). */
async function seedRowsOf(server: TestServer, email: string, line: number): Promise<void> {
  const { db } = server;
  await db.sql`insert into leads (user_email, name, phone) values (${email}, ${`Lead of ${email}`}, ${`+1415555${String(1000 + line)}`})`;
  await db.sql`insert into active_calls (user_email, line_number, to_number, call_sid) values (${email}, 1, '+14155550100', ${`CA-vis-${crypto.randomUUID()}`})`;
  await db.sql`insert into call_logs (user_email, outcome, started_at) values (${email}, 'busy', now())`;
  await db.sql`insert into user_stats (user_email) values (${email}) on conflict do nothing`;
  // The list is the workspace's since 0018: one entry per number, so each member adds their own.
  await db.sql`insert into do_not_call_numbers (user_email, phone_number) values (${email}, ${`+1415555${String(2000 + line)}`})`;
}

describe.each(DATABASE_KINDS)('WS1 who sees what, through REST with supabase-js, on %s', (kind) => {
  let server: TestServer;
  let adminA: SignedUpUser;
  let managerA: SignedUpUser;
  let rep1: SignedUpUser;
  let rep2: SignedUpUser;
  let adminB: SignedUpUser;
  let repB: SignedUpUser;
  beforeAll(async () => {
    server = await startTestServer(kind);
    adminA = await server.signUp('admin-a');
    managerA = await server.signUpInto(adminA.client, 'manager');
    rep1 = await server.signUpInto(adminA.client, 'rep');
    rep2 = await server.signUpInto(adminA.client, 'rep');
    adminB = await server.signUp('admin-b');
    repB = await server.signUpInto(adminB.client, 'rep');
    let line = 0;
    for (const user of [adminA, managerA, rep1, rep2, adminB, repB]) await seedRowsOf(server, user.email, ++line);
    // Every member's state changed once (a call placed), so rep_state_log has a row of each.
  });
  afterAll(async () => {
    await server.close();
  });

  it('WS1 a rep sees only their own calls, history, stats, leads, settings, state and membership, and their whole workspace’s do-not-call list', async () => {
    for (const rep of [rep1, rep2, repB]) {
      for (const table of OWNED_TABLES) expect({ table, seen: await emailsSeen(rep.client, table) }).toEqual({ table, seen: [rep.email] });
    }
    const workspaceA = [adminA, managerA, rep1, rep2].map((user) => user.email).sort();
    const workspaceB = [adminB, repB].map((user) => user.email).sort();
    for (const table of WORKSPACE_TABLES) {
      expect({ table, seen: await emailsSeen(rep1.client, table) }).toEqual({ table, seen: workspaceA });
      expect({ table, seen: await emailsSeen(repB.client, table) }).toEqual({ table, seen: workspaceB });
    }
  });

  it('WS1 managers and admins see every row of their workspace and nothing of another', async () => {
    const workspaceA = [adminA, managerA, rep1, rep2].map((user) => user.email).sort();
    for (const viewer of [adminA, managerA]) {
      for (const table of [...OWNED_TABLES, ...WORKSPACE_TABLES]) expect({ table, seen: await emailsSeen(viewer.client, table) }).toEqual({ table, seen: workspaceA });
    }
    const workspaceB = [adminB, repB].map((user) => user.email).sort();
    for (const table of [...OWNED_TABLES, ...WORKSPACE_TABLES]) expect({ table, seen: await emailsSeen(adminB.client, table) }).toEqual({ table, seen: workspaceB });
  });

  it('WS1 each member sees their own workspace row only; invitations and audit are for admins of the workspace', async () => {
    const workspaceIds = new Map<string, string>();
    for (const user of [adminA, managerA, rep1, adminB, repB]) {
      const { data } = await user.client.from('workspaces').select('id');
      expect(data).toHaveLength(1);
      workspaceIds.set(user.email, (data as Array<{ id: string }>)[0]?.id ?? '');
    }
    expect(workspaceIds.get(rep1.email)).toBe(workspaceIds.get(adminA.email));
    expect(workspaceIds.get(repB.email)).not.toBe(workspaceIds.get(adminA.email));
    for (const table of ['workspace_invitations', 'audit_log']) {
      expect((await managerA.client.from(table).select('id')).data, table).toEqual([]);
      expect((await rep1.client.from(table).select('id')).data, table).toEqual([]);
      const seenByAdmin = (await adminA.client.from(table).select('workspace_id')).data as Array<{ workspace_id: string }>;
      expect(seenByAdmin.length, table).toBeGreaterThan(0);
      expect(new Set(seenByAdmin.map((row) => row.workspace_id)), table).toEqual(new Set([workspaceIds.get(adminA.email)]));
    }
  });

  it('WS1 a rep can neither write another member’s rows nor any workspace table', async () => {
    const planted = await rep1.client.from('leads').insert({ user_email: rep2.email, name: 'Planted', phone: '+14155550177' });
    expect(planted.error).not.toBeNull();
    const renamed = await managerA.client.from('leads').update({ name: 'Taken' }).eq('user_email', rep1.email).select('id');
    expect(renamed.data ?? []).toEqual([]);
    for (const [table, patch] of [
      ['workspace_members', { role: 'admin' }],
      ['rep_states', { state: 'available' }],
      ['workspaces', { name: 'Mine now' }],
    ] as const) {
      const attempt = await rep1.client.from(table).update(patch).eq('user_email' in patch ? 'user_email' : 'id', rep1.email).select();
      expect(attempt.error, table).not.toBeNull();
    }
    const [member] = await server.db.sql`select role from workspace_members where user_email = ${rep1.email}`;
    expect(member).toEqual({ role: 'rep' });
    // A rep's own lead, added through REST, lands in their workspace.
    const own = await rep1.client.from('leads').insert({ user_email: rep1.email, name: 'Own lead', phone: '+14155550178' }).select('workspace_id');
    expect(own.error).toBeNull();
    const [workspace] = await server.db.sql<{ workspace_id: string }>`select workspace_id from workspace_members where user_email = ${rep1.email}`;
    expect(own.data).toEqual([{ workspace_id: workspace?.workspace_id }]);
  });
});
