import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.js';
import { startTestServer, type SignedUpUser, type TestServer } from './support/server.js';

/**
 * LD1 a number is one lead per workspace, refused by the database (migration 0017) with
 * PostgREST's 409 and code 23505, whoever adds it — even a rep who cannot see the lead that holds
 * it; the message never names that lead. Another workspace may hold the same number, and leads
 * that already shared a number before the rule stay editable.
 */
describe.each(DATABASE_KINDS)('LD1 one lead per number in a workspace on %s', (kind) => {
  let server: TestServer;
  let admin: SignedUpUser;
  let repA: SignedUpUser;
  let repB: SignedUpUser;
  let outsider: SignedUpUser;

  beforeAll(async () => {
    server = await startTestServer(kind);
    admin = await server.signUp('admin');
    repA = await server.signUpInto(admin.client, 'rep', 'rep-a');
    repB = await server.signUpInto(admin.client, 'rep', 'rep-b');
    outsider = await server.signUp('outsider');
  });
  afterAll(async () => {
    await server.close();
  });

  const addLead = (user: SignedUpUser, name: string, phone: string) =>
    user.client.from('leads').insert({ user_email: user.email, name, phone }).select('id').single<{ id: string }>();

  it('LD1 refuses rep B the number of rep A’s lead with 409 and 23505, naming no lead', async () => {
    const first = await addLead(repA, 'Secret Customer', '+14155550101');
    expect(first.error).toBeNull();
    // Rep B cannot see rep A's lead, so a look-up in the browser would find nothing.
    const { data: seen } = await repB.client.from('leads').select('id').eq('phone', '+14155550101');
    expect(seen).toEqual([]);

    const second = await addLead(repB, 'Someone', '+14155550101');
    expect(second.status).toBe(409);
    expect(second.error?.code).toBe('23505');
    expect(second.error?.message).toContain('already a lead in this workspace');
    expect(JSON.stringify(second.error)).not.toContain('Secret Customer');
    expect(JSON.stringify(second.error)).not.toContain(repA.email);
    const [count] = await server.db.sql<{ n: number }>`select count(*)::int as n from leads where phone = '+14155550101'`;
    expect(count?.n).toBe(1);
  });

  it('LD1 refuses a rep changing a lead to a number of the workspace, and their own repeat too', async () => {
    await addLead(repA, 'Kept', '+14155550102');
    const own = await addLead(repA, 'Twice', '+14155550102');
    expect(own.status).toBe(409);
    const other = await addLead(repB, 'Elsewhere', '+14155550103');
    expect(other.error).toBeNull();
    const moved = await repB.client.from('leads').update({ phone: '+14155550102' }).eq('id', other.data?.id ?? '');
    expect(moved.status).toBe(409);
    expect(moved.error?.code).toBe('23505');
  });

  it('LD1 lets another workspace hold the same number', async () => {
    await addLead(repA, 'Ours', '+14155550104');
    const theirs = await addLead(outsider, 'Theirs', '+14155550104');
    expect(theirs.error).toBeNull();
  });

  it('LD1 leaves duplicates from before the rule editable, phone included', async () => {
    // Old data: two leads with one number, written with the rule's trigger off.
    await server.db.transaction(async (tx) => {
      await tx.sql`alter table leads disable trigger leads_phone_unique`;
      await tx.sql`insert into leads (user_email, name, phone) values (${repA.email}, 'Old one', '+14155550105'), (${repA.email}, 'Old two', '+14155550105')`;
      await tx.sql`alter table leads enable trigger leads_phone_unique`;
    });
    const { data: leads } = await repA.client.from('leads').select('id, phone').eq('phone', '+14155550105');
    expect(leads).toHaveLength(2);
    // The lead form sends the phone with every save; an unchanged number is not a new duplicate.
    const saved = await repA.client.from('leads').update({ name: 'Old one, renamed', phone: '+14155550105' }).eq('id', leads?.[0]?.id ?? '');
    expect(saved.error).toBeNull();
  });
});
