import { createHash } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CONCURRENT_HASHES, MAX_WAITING_HASHES } from '../src/auth/hash-gate.js';
import { DATABASE_KINDS } from './support/databases.js';
import { invoke } from './support/calls.js';
import { newTestEmail, startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'correct horse battery';

/** Rows of every table a sign-up writes, to show a refused or failed one wrote nothing. */
async function countSignUpRows(server: TestServer): Promise<Record<string, number>> {
  const [row] = await server.db.sql<Record<string, number>>`
    select (select count(*)::int from auth.users) as users, (select count(*)::int from auth.sessions) as sessions,
      (select count(*)::int from workspaces) as workspaces, (select count(*)::int from workspace_members) as members,
      (select count(*)::int from rep_states) as rep_states, (select count(*)::int from dialer_settings) as settings,
      (select count(*)::int from audit_log) as audit, (select count(*)::int from workspace_invitations where accepted_at is not null) as accepted`;
  if (!row) throw new Error('no counts');
  return row;
}

async function invite(admin: SupabaseClient, body: Record<string, unknown>): Promise<{ id: string; token: string; acceptPath: string; expiresAt: string }> {
  const created = await invoke(admin, 'createInvitation', body);
  expect(created.status).toBe(200);
  const invitation = created.body['invitation'] as { id: string; expiresAt: string };
  return { id: invitation.id, expiresAt: invitation.expiresAt, token: created.body['token'] as string, acceptPath: created.body['acceptPath'] as string };
}

async function auditOf(server: TestServer, target: string): Promise<Array<{ user_email: string; action: string; details: Record<string, unknown> }>> {
  return server.db.sql`select user_email, action, details from audit_log where target = ${target} order by id`;
}

describe.each(DATABASE_KINDS)('sign-up without OPEN_SIGNUP on %s', (kind) => {
  let server: TestServer;
  let admin: { client: SupabaseClient; email: string; userId: string };
  let workspaceId: string;
  beforeAll(async () => {
    server = await startTestServer(kind, { openSignup: false });
  });
  afterAll(async () => {
    await server.close();
  });

  const signUpWith = (email: string, data?: Record<string, unknown>) => server.client().auth.signUp({ email, password: PASSWORD, ...(data ? { options: { data } } : {}) });

  it('the first account creates the workspace and is its admin, even when two sign up at once', async () => {
    const emails = [newTestEmail('first'), newTestEmail('first')];
    const results = await Promise.all(emails.map((email) => signUpWith(email)));
    const winners = results.filter((result) => result.error === null);
    expect(winners).toHaveLength(1);
    const loser = results.find((result) => result.error !== null);
    expect(loser?.error?.code).toBe('signup_disabled');
    expect(loser?.error?.status).toBe(422);
    expect(await countSignUpRows(server)).toMatchObject({ users: 1, workspaces: 1, members: 1, rep_states: 1, settings: 1 });

    const winner = winners[0];
    const email = winner?.data.user?.email ?? '';
    const client = server.client();
    await client.auth.signInWithPassword({ email, password: PASSWORD });
    admin = { client, email, userId: winner?.data.user?.id ?? '' };
    const got = await invoke(client, 'getWorkspace', {});
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ workspace: { name: `${email.split('@')[0]}'s workspace` }, member: { userId: admin.userId, userEmail: email, role: 'admin', isActive: true } });
    workspaceId = (got.body['workspace'] as { id: string }).id;
    const [state] = await server.db.sql`select state, workspace_id from rep_states where user_email = ${email}`;
    expect(state).toEqual({ state: 'offline', workspace_id: workspaceId });
  });

  it('an uninvited sign-up afterwards is signup_disabled and writes nothing', async () => {
    const before = await countSignUpRows(server);
    const refused = await signUpWith(newTestEmail('uninvited'));
    expect(refused.error?.code).toBe('signup_disabled');
    expect(refused.error?.status).toBe(422);
    expect(await countSignUpRows(server)).toEqual(before);
  });

  it('an invitation signs up one person into the workspace with its role; only its hash is kept, not the token', async () => {
    const inviteeEmail = newTestEmail('invitee');
    const created = await invoke(admin.client, 'createInvitation', { role: 'manager', inviteeEmail: inviteeEmail.toUpperCase(), expiresInHours: 2 });
    expect(created.status).toBe(200);
    const token = created.body['token'] as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.body['acceptPath']).toBe(`/join?token=${token}`);
    const invitation = created.body['invitation'] as { id: string; role: string; inviteeEmail: string; expiresAt: string };
    expect(invitation).toMatchObject({ role: 'manager', inviteeEmail });
    expect(Math.abs(new Date(invitation.expiresAt).getTime() - (Date.now() + 2 * 3600_000))).toBeLessThan(60_000);
    const [stored] = await server.db.sql<{ token_hash: string; user_email: string }>`select token_hash, user_email from workspace_invitations where id = ${invitation.id}`;
    expect(stored).toEqual({ token_hash: createHash('sha256').update(token).digest('hex'), user_email: admin.email });

    const before = await countSignUpRows(server);
    const wrongEmail = await signUpWith(newTestEmail('someone-else'), { invitation_token: token });
    expect(wrongEmail.error?.code).toBe('invitation_invalid');
    expect(wrongEmail.error?.status).toBe(422);
    expect(wrongEmail.error?.message).toMatch(/another email/);
    expect(await countSignUpRows(server)).toEqual(before);

    const joined = await signUpWith(inviteeEmail, { invitation_token: token, full_name: 'Grace Hopper' });
    expect(joined.error).toBeNull();
    expect(joined.data.user?.user_metadata).toEqual({ full_name: 'Grace Hopper' });
    const [member] = await server.db.sql`select workspace_id, role, is_active from workspace_members where user_email = ${inviteeEmail}`;
    expect(member).toEqual({ workspace_id: workspaceId, role: 'manager', is_active: true });
    const [accepted] = await server.db.sql`select accepted_by, accepted_at is not null as is_accepted from workspace_invitations where id = ${invitation.id}`;
    expect(accepted).toEqual({ accepted_by: joined.data.user?.id, is_accepted: true });
    // The token is nowhere: not in metadata, not in the audit.
    const [leaks] = await server.db.sql<{ n: number }>`
      select (select count(*) from auth.users where raw_user_meta_data::text like ${`%${token}%`})
           + (select count(*) from audit_log where details::text like ${`%${token}%`}) as n`;
    expect(Number(leaks?.n)).toBe(0);
    expect(await auditOf(server, invitation.id)).toEqual([
      { user_email: admin.email, action: 'invitation.created', details: expect.objectContaining({ role: 'manager', inviteeEmail }) },
      { user_email: inviteeEmail, action: 'invitation.accepted', details: expect.objectContaining({ role: 'manager', invitedBy: admin.email }) },
    ]);

    const afterJoin = await countSignUpRows(server);
    const reused = await signUpWith(newTestEmail('reuse'), { invitation_token: token });
    expect(reused.error?.code).toBe('invitation_invalid');
    expect(reused.error?.message).toMatch(/already used/);
    expect(await countSignUpRows(server)).toEqual(afterJoin);
  });

  it('an invitation without an invitee email is single-use too, also when two sign up with it at once', async () => {
    const { token } = await invite(admin.client, { role: 'rep' });
    const results = await Promise.all([newTestEmail('race'), newTestEmail('race')].map((email) => signUpWith(email, { invitation_token: token })));
    expect(results.filter((r) => r.error === null)).toHaveLength(1);
    expect(results.find((r) => r.error !== null)?.error?.message).toMatch(/already used/);
  });

  it('an expired, a revoked and an unknown invitation are refused, each saying which, and write nothing', async () => {
    const expired = await invite(admin.client, { role: 'rep', expiresInHours: 1 });
    await server.db.sql`update workspace_invitations set expires_at = now() - interval '1 second' where id = ${expired.id}`;
    const revoked = await invite(admin.client, { role: 'rep' });
    const revocation = await invoke(admin.client, 'revokeInvitation', { invitationId: revoked.id });
    expect(revocation.status).toBe(200);
    expect(revocation.body['invitation']).toMatchObject({ id: revoked.id, revokedAt: expect.any(String), acceptedAt: null });
    const before = await countSignUpRows(server);

    for (const [token, reason] of [
      [expired.token, /expired/],
      [revoked.token, /revoked/],
      ['not-a-token-anyone-issued', /unknown/],
    ] as const) {
      const refused = await signUpWith(newTestEmail('refused'), { invitation_token: token });
      expect(refused.error?.code).toBe('invitation_invalid');
      expect(refused.error?.message).toMatch(reason);
    }
    expect(await countSignUpRows(server)).toEqual(before);

    // Revoking again is a no-op (no second audit row); a used invitation cannot be revoked.
    expect((await invoke(admin.client, 'revokeInvitation', { invitationId: revoked.id })).status).toBe(200);
    expect((await auditOf(server, revoked.id)).map((row) => row.action)).toEqual(['invitation.created', 'invitation.revoked']);
    const used = await invite(admin.client, { role: 'rep' });
    expect((await signUpWith(newTestEmail('used'), { invitation_token: used.token })).error).toBeNull();
    const tooLate = await invoke(admin.client, 'revokeInvitation', { invitationId: used.id });
    expect(tooLate).toMatchObject({ status: 409, body: { code: 'invitation_used' } });
  });

  it('an existing email signing up with an invitation is user_already_exists, and the invitation stays unused', async () => {
    const { id, token } = await invite(admin.client, { role: 'rep' });
    const again = await signUpWith(admin.email, { invitation_token: token });
    expect(again.error?.code).toBe('user_already_exists');
    const [row] = await server.db.sql`select accepted_at from workspace_invitations where id = ${id}`;
    expect(row).toEqual({ accepted_at: null });
  });

  it('a flood of sign-ups with made-up tokens is refused before hashing: each invitation_invalid, none over_request_rate_limit', async () => {
    const before = await countSignUpRows(server);
    // More at once than the sign-up hash queue holds (MAX_CONCURRENT_HASHES + MAX_WAITING_HASHES):
    // were each hashed first, the queue would overflow and answer 429.
    const attempts = Array.from({ length: MAX_CONCURRENT_HASHES + MAX_WAITING_HASHES + 8 }, (_, i) => signUpWith(newTestEmail('flood'), { invitation_token: `made-up-${i}` }));
    const codes = (await Promise.all(attempts)).map((result) => result.error?.code);
    expect(new Set(codes)).toEqual(new Set(['invitation_invalid']));
    expect(await countSignUpRows(server)).toEqual(before);
  });

  it('a sign-up that fails after its first write writes nothing at all', async () => {
    const { id, token } = await invite(admin.client, { role: 'rep' });
    const email = newTestEmail('doomed');
    await server.db.query(`
      create function fail_doomed() returns trigger language plpgsql as $$
      begin if new.user_email = '${email}' then raise exception 'injected failure'; end if; return new; end $$`);
    await server.db.sql`create trigger fail_doomed before insert on dialer_settings for each row execute function fail_doomed()`;
    try {
      const before = await countSignUpRows(server);
      const failed = await signUpWith(email, { invitation_token: token });
      expect(failed.error).not.toBeNull();
      expect(await countSignUpRows(server)).toEqual(before);
      const [invitation] = await server.db.sql`select accepted_at from workspace_invitations where id = ${id}`;
      expect(invitation).toEqual({ accepted_at: null });
    } finally {
      await server.db.sql`drop trigger fail_doomed on dialer_settings`;
      await server.db.sql`drop function fail_doomed()`;
    }
    expect((await signUpWith(email, { invitation_token: token })).error).toBeNull();
  });

  it('IN1 bad invitation requests are refused with invalid_request and write nothing', async () => {
    const [before] = await server.db.sql<{ n: number }>`select count(*)::int as n from workspace_invitations`;
    for (const body of [
      {},
      { role: 'boss' },
      { role: 'rep', expiresInHours: 0 },
      { role: 'rep', expiresInHours: 721 },
      { role: 'rep', expiresInHours: 1.5 },
      { role: 'rep', inviteeEmail: 'not an email' },
      { role: 'rep', workspaceId: crypto.randomUUID() },
    ]) {
      const refused = await invoke(admin.client, 'createInvitation', body);
      expect(refused, JSON.stringify(body)).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    }
    expect((await invoke(admin.client, 'revokeInvitation', { invitationId: 'nope' })).body).toMatchObject({ code: 'invalid_request' });
    const [after] = await server.db.sql<{ n: number }>`select count(*)::int as n from workspace_invitations`;
    expect(after?.n).toBe(before?.n);
    const invalidToken = await signUpWith(newTestEmail('badtoken'), { invitation_token: 42 });
    expect(invalidToken.error?.code).toBe('validation_failed');
  });
});

describe.each(DATABASE_KINDS)('roles, members and audit on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server.close();
  });

  it('only admins invite, revoke and change members; managers and reps are forbidden', async () => {
    const admin = await server.signUp('admin');
    const manager = await server.signUpInto(admin.client, 'manager');
    const rep = await server.signUpInto(admin.client, 'rep');
    const { id } = await invite(admin.client, { role: 'rep' });
    for (const { client } of [manager, rep]) {
      for (const [name, body] of [
        ['createInvitation', { role: 'rep' }],
        ['revokeInvitation', { invitationId: id }],
        ['setMemberRole', { userId: rep.userId, role: 'admin' }],
        ['setMemberActive', { userId: admin.userId, isActive: false }],
      ] as const) {
        expect(await invoke(client, name, body), name).toMatchObject({ status: 403, body: { code: 'forbidden' } });
      }
    }
    expect((await invoke(rep.client, 'getWorkspace', {})).body).toMatchObject({ member: { role: 'rep', userEmail: rep.email } });
    expect((await invoke(manager.client, 'getWorkspace', {})).body).toMatchObject({ member: { role: 'manager' } });
    // No body at all is fine too (supabase-js sends none when invoke has no body).
    const bare = await manager.client.functions.invoke<{ member: { role: string } }>('getWorkspace');
    expect(bare.data?.member.role).toBe('manager');
    const [row] = await server.db.sql`select revoked_at from workspace_invitations where id = ${id}`;
    expect(row).toEqual({ revoked_at: null });
  });

  it('an admin changes a role (audited with from and to); the last active admin can be neither demoted nor deactivated', async () => {
    const admin = await server.signUp('admin');
    const rep = await server.signUpInto(admin.client, 'rep');
    const promoted = await invoke(admin.client, 'setMemberRole', { userId: rep.userId, role: 'manager' });
    expect(promoted).toMatchObject({ status: 200, body: { member: { userId: rep.userId, userEmail: rep.email, role: 'manager', isActive: true } } });
    expect(await auditOf(server, rep.email)).toEqual([{ user_email: admin.email, action: 'member.role_changed', details: { userId: rep.userId, from: 'rep', to: 'manager' } }]);

    expect(await invoke(admin.client, 'setMemberRole', { userId: admin.userId, role: 'rep' })).toMatchObject({ status: 409, body: { code: 'last_admin' } });
    expect(await invoke(admin.client, 'setMemberActive', { userId: admin.userId, isActive: false })).toMatchObject({ status: 409, body: { code: 'last_admin' } });
    const [still] = await server.db.sql`select role, is_active from workspace_members where user_id = ${admin.userId}`;
    expect(still).toEqual({ role: 'admin', is_active: true });
    expect(await auditOf(server, admin.email)).toEqual([]);

    // With a second admin the first may step down; then the second is the last one.
    expect((await invoke(admin.client, 'setMemberRole', { userId: rep.userId, role: 'admin' })).status).toBe(200);
    expect((await invoke(admin.client, 'setMemberRole', { userId: admin.userId, role: 'rep' })).status).toBe(200);
    expect(await invoke(rep.client, 'setMemberActive', { userId: rep.userId, isActive: false })).toMatchObject({ status: 409, body: { code: 'last_admin' } });
    expect(await invoke(admin.client, 'setMemberRole', { userId: rep.userId, role: 'rep' })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
  });

  it('an admin deactivated or demoted cannot come back through an invitation link they made before: it counts as revoked', async () => {
    const admin = await server.signUp('admin');
    const fired = await server.signUpInto(admin.client, 'admin');
    const demoted = await server.signUpInto(admin.client, 'admin');
    const firedLink = await invite(fired.client, { role: 'admin' });
    const demotedLink = await invite(demoted.client, { role: 'rep' });
    expect((await invoke(admin.client, 'setMemberActive', { userId: fired.userId, isActive: false })).status).toBe(200);
    expect((await invoke(admin.client, 'setMemberRole', { userId: demoted.userId, role: 'manager' })).status).toBe(200);
    const [before] = await server.db.sql<{ n: number }>`select count(*)::int as n from workspace_members`;
    for (const { token } of [firedLink, demotedLink]) {
      const client = server.client();
      const refused = await client.auth.signUp({ email: newTestEmail('back-door'), password: PASSWORD, options: { data: { invitation_token: token } } });
      expect(refused.error?.code).toBe('invitation_invalid');
      expect(refused.error?.message).toMatch(/revoked/);
    }
    const [after] = await server.db.sql<{ n: number }>`select count(*)::int as n from workspace_members`;
    expect(after?.n).toBe(before?.n);
    // Reactivated, the admin's links stand again; an active admin's links were never affected.
    expect((await invoke(admin.client, 'setMemberActive', { userId: fired.userId, isActive: true })).status).toBe(200);
    const joined = await server.client().auth.signUp({ email: newTestEmail('invited'), password: PASSWORD, options: { data: { invitation_token: firedLink.token } } });
    expect(joined.error).toBeNull();
  });

  it('two admins demoting each other at once: one wins, the workspace keeps one active admin', async () => {
    const first = await server.signUp('admin');
    const second = await server.signUpInto(first.client, 'admin');
    const results = await Promise.all([
      invoke(first.client, 'setMemberRole', { userId: second.userId, role: 'rep' }),
      invoke(second.client, 'setMemberActive', { userId: first.userId, isActive: false }),
    ]);
    // The loser is refused last_admin, or, when it came second, forbidden: it is no longer an admin.
    const [won, lost] = [...results].sort((a, b) => a.status - b.status);
    expect(won?.status).toBe(200);
    expect([403, 409]).toContain(lost?.status);
    const [admins] = await server.db.sql<{ n: number }>`
      select count(*)::int as n from workspace_members where user_id in (${first.userId}, ${second.userId}) and role = 'admin' and is_active`;
    expect(admins?.n).toBe(1);
  });

  it('WS1 an admin of one workspace can neither see nor change another workspace’s invitations and members', async () => {
    const adminA = await server.signUp('admin-a');
    const adminB = await server.signUp('admin-b');
    const repB = await server.signUpInto(adminB.client, 'rep');
    const invitationB = await invite(adminB.client, { role: 'manager' });
    await invite(adminA.client, { role: 'rep' });

    expect(await invoke(adminA.client, 'revokeInvitation', { invitationId: invitationB.id })).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await invoke(adminA.client, 'setMemberRole', { userId: repB.userId, role: 'admin' })).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await invoke(adminA.client, 'setMemberActive', { userId: repB.userId, isActive: false })).toMatchObject({ status: 404, body: { code: 'not_found' } });
    const [untouched] = await server.db.sql`select revoked_at from workspace_invitations where id = ${invitationB.id}`;
    expect(untouched).toEqual({ revoked_at: null });
    const [repRow] = await server.db.sql`select role, is_active from workspace_members where user_id = ${repB.userId}`;
    expect(repRow).toEqual({ role: 'rep', is_active: true });

    const seenByA = await adminA.client.from('workspace_invitations').select('*');
    expect(seenByA.error).toBeNull();
    expect(seenByA.data?.map((row: { user_email: string }) => row.user_email)).toEqual([adminA.email]);
    const membersSeenByA = await adminA.client.from('workspace_members').select('user_email');
    expect(membersSeenByA.data).toEqual([{ user_email: adminA.email }]);
    const auditSeenByA = await adminA.client.from('audit_log').select('user_email, action');
    expect(auditSeenByA.data).toEqual([{ user_email: adminA.email, action: 'invitation.created' }]);
    // Invitations and the audit log are for admins: B's rep sees neither.
    expect((await repB.client.from('workspace_invitations').select('id')).data).toEqual([]);
    expect((await repB.client.from('audit_log').select('id')).data).toEqual([]);
    expect((await repB.client.from('workspaces').select('id')).data).toHaveLength(1);
    const seenByB = (await adminB.client.from('workspace_invitations').select('id, user_email')).data as Array<{ id: string; user_email: string }>;
    expect(seenByB.map((row) => row.id)).toContain(invitationB.id);
    expect(new Set(seenByB.map((row) => row.user_email))).toEqual(new Set([adminB.email]));
  });

  it('a deactivated member cannot sign in, refresh, call functions or read rows, and history stays; reactivated, they can again', async () => {
    const admin = await server.signUp('admin');
    const rep = await server.signUpInto(admin.client, 'rep');
    await server.db.sql`insert into leads (user_email, name, phone) values (${rep.email}, 'Rep lead', '+14155550133')`;
    await server.db.sql`insert into call_logs (user_email, outcome, started_at) values (${rep.email}, 'busy', now())`;
    const repSession = await rep.client.auth.getSession();
    const refreshToken = repSession.data.session?.refresh_token ?? '';

    const deactivated = await invoke(admin.client, 'setMemberActive', { userId: rep.userId, isActive: false });
    expect(deactivated).toMatchObject({ status: 200, body: { member: { userId: rep.userId, isActive: false, deactivatedAt: expect.any(String) } } });
    expect(await auditOf(server, rep.email)).toEqual([{ user_email: admin.email, action: 'member.deactivated', details: { userId: rep.userId, role: 'rep' } }]);

    const signIn = await server.client().auth.signInWithPassword({ email: rep.email, password: PASSWORD });
    expect(signIn.error?.code).toBe('user_banned');
    expect(signIn.error?.status).toBe(403);
    const user = await server.client().auth.getUser(rep.accessToken);
    expect(user.error?.code).toBe('user_banned');
    expect(await invoke(rep.client, 'getWorkspace', {})).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    const dial = await invoke(rep.client, 'mockDialerCall', { to: '+14155550134', userEmail: rep.email, lineNumber: 1 });
    expect(dial).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await server.db.sql`select id from active_calls where user_email = ${rep.email}`).toEqual([]);
    for (const table of ['leads', 'call_logs', 'dialer_settings', 'workspace_members', 'rep_states', 'workspaces'] as const) {
      const read = await rep.client.from(table).select('*');
      expect({ table, error: read.error, data: read.data }).toEqual({ table, error: null, data: [] });
    }
    // The admin still sees the rep's history and leads: deactivation keeps them.
    expect((await admin.client.from('call_logs').select('user_email')).data).toEqual([{ user_email: rep.email }]);
    expect((await admin.client.from('leads').select('name')).data).toEqual([{ name: 'Rep lead' }]);
    const refresh = await server.client().auth.refreshSession({ refresh_token: refreshToken });
    expect(refresh.error?.code).toBe('user_banned');
    expect(refresh.error?.status).toBe(403);

    const reactivated = await invoke(admin.client, 'setMemberActive', { userId: rep.userId, isActive: true });
    expect(reactivated).toMatchObject({ status: 200, body: { member: { isActive: true, deactivatedAt: null } } });
    expect((await auditOf(server, rep.email)).map((row) => row.action)).toEqual(['member.deactivated', 'member.reactivated']);
    // The old session stays ended; signing in again works.
    expect((await server.client().auth.refreshSession({ refresh_token: refreshToken })).error).not.toBeNull();
    const again = server.client();
    expect((await again.auth.signInWithPassword({ email: rep.email, password: PASSWORD })).error).toBeNull();
    expect((await invoke(again, 'getWorkspace', {})).status).toBe(200);
    expect((await again.from('leads').select('name')).data).toEqual([{ name: 'Rep lead' }]);
  });
});
