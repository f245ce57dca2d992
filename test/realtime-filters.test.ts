import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.js';
import { subscribe } from './support/realtime.js';
import { startTestServer, type TestServer } from './support/server.js';

describe.each(DATABASE_KINDS)('Realtime filters through supabase-js, as REST reads them, on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server.close();
  });

  it('a call subscribed to by its id in upper case is seen, as REST finds it', async () => {
    const { client, email } = await server.signUpWithToken('upper-uuid');
    const [call] = await server.db.sql<{ id: string }>`
      insert into active_calls (user_email, line_number, to_number) values (${email}, 1, '+14155550190') returning id`;
    const id = call?.id ?? '';
    const filter = `id=eq.${id.toUpperCase()}`;
    const viaRest = await client.from('active_calls').select('id').eq('id', id.toUpperCase());
    expect(viaRest.data).toEqual([{ id }]);
    const sub = subscribe(client, 'active_calls', filter, 'UPDATE');
    await sub.waitForState('SUBSCRIBED');
    await server.db.sql`update active_calls set status = 'ringing' where id = ${id}`;
    const [change] = await sub.waitForChanges(1);
    expect(change?.new).toMatchObject({ id, status: 'ringing' });
    await client.removeAllChannels();
  });

  it('a quoted in value keeps its comma: only the leads REST returns arrive', async () => {
    const { client, email } = await server.signUpWithToken('quoted-in');
    const filter = 'company=in.("Acme, Inc",Initech)';
    const sub = subscribe(client, 'leads', filter, 'INSERT');
    await sub.waitForState('SUBSCRIBED');
    for (const [index, company] of ['Acme', 'Acme, Inc', ' Inc', 'Initech'].entries()) {
      await server.db.sql`insert into leads (user_email, name, phone, company) values (${email}, ${company}, ${`+141555501${90 + index}`}, ${company})`;
    }
    const viaRest = await client.from('leads').select('company').in('company', ['Acme, Inc', 'Initech']).order('company');
    expect(viaRest.data).toEqual([{ company: 'Acme, Inc' }, { company: 'Initech' }]);
    const changes = await sub.waitForChanges(2);
    // A later change that passes the filter proves the earlier ones were not merely slow.
    expect(changes.map((c) => (c.new as { company?: string }).company)).toEqual(['Acme, Inc', 'Initech']);
    await client.removeAllChannels();
  });

  it('IN1 a value the column cannot take is refused at subscribe time with the reason, as REST refuses it', async () => {
    const { client } = await server.signUpWithToken('bad-value');
    const viaRest = await client.from('active_calls').select('id').eq('id', 'not-a-uuid');
    expect(viaRest.error?.code).toBe('22P02');
    const sub = subscribe(client, 'active_calls', 'id=eq.not-a-uuid');
    const state = await sub.waitForState('CHANNEL_ERROR');
    expect(state.error).toContain('invalid input syntax for type uuid');
    const late = subscribe(client, 'leads', 'last_called_at=gt.2026-02-30T00:00:00Z');
    expect((await late.waitForState('CHANNEL_ERROR')).error).toContain('out of range');
    await client.removeAllChannels();
  });
});
