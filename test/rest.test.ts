import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Database } from '../src/db/database.js';
import { DATABASE_KINDS } from './support/databases.js';
import { startTestServer, type TestServer } from './support/server.js';

type User = Awaited<ReturnType<TestServer['signUp']>>;
const selectLeadNames = (client: SupabaseClient) => client.from('leads').select('name');
type LeadNamesQuery = ReturnType<typeof selectLeadNames>;

interface LeadSeed {
  name: string;
  phone?: string;
  company?: string | null;
  attempts?: number;
  status?: string;
  last_called_at?: string | null;
}

/** Rows written straight to the database, as the server's own role (no row-level security). */
async function seedLeads(db: Database, userEmail: string, leads: readonly LeadSeed[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [index, lead] of leads.entries()) {
    const [row] = await db.query<{ id: string }>(
      `insert into leads (user_email, name, phone, company, attempts, status, last_called_at)
       values ($1, $2, $3, $4, $5, $6, $7) returning id`,
      [userEmail, lead.name, lead.phone ?? `+1415555${String(1000 + index).padStart(4, '0')}`, lead.company ?? null, lead.attempts ?? 0, lead.status ?? 'new', lead.last_called_at ?? null],
    );
    if (!row) throw new Error('lead insert returned nothing');
    ids.push(row.id);
  }
  return ids;
}

async function seedCall(db: Database, userEmail: string, lineNumber: number, leadId: string | null = null): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `insert into active_calls (user_email, line_number, to_number, lead_id, call_sid) values ($1, $2, '+14155550199', $3, $4) returning id`,
    [userEmail, lineNumber, leadId, `CA${crypto.randomUUID().replaceAll('-', '')}`],
  );
  if (!row) throw new Error('call insert returned nothing');
  return row.id;
}

async function leadNames(db: Database, userEmail: string): Promise<string[]> {
  const rows = await db.query<{ name: string }>('select name from leads where user_email = $1 order by name', [userEmail]);
  return rows.map((row) => row.name);
}

describe.each(DATABASE_KINDS)('REST /rest/v1 through supabase-js on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server.close();
  });

  const twoUsers = async (): Promise<[User, User]> => [await server.signUp('rest-a'), await server.signUp('rest-b')];
  const clientWithToken = (token: string): SupabaseClient =>
    createClient(server.url, server.tokens.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      global: { headers: { Authorization: `Bearer ${token}` } },
      realtime: { transport: WebSocket as never },
    });
  /** A request as supabase-js would send it, for the headers it hides. */
  const rest = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${server.url}/rest/v1/${path}`, { ...init, headers: { apikey: server.tokens.anonKey, Authorization: `Bearer ${token}`, ...init.headers } });

  it('AU1 select * and column lists show a user only their own leads', async () => {
    const [a, b] = await twoUsers();
    await seedLeads(server.db, a.email, [{ name: 'Ada' }, { name: 'Alan', company: 'Bletchley' }]);
    await seedLeads(server.db, b.email, [{ name: 'Grace' }]);

    const all = await a.client.from('leads').select('*').order('name');
    expect(all.error).toBeNull();
    expect(all.status).toBe(200);
    expect(all.data?.map((lead: { name: string; user_email: string }) => [lead.name, lead.user_email])).toEqual([
      ['Ada', a.email],
      ['Alan', a.email],
    ]);
    expect(Object.keys(all.data?.[0] ?? {})).toEqual(
      expect.arrayContaining(['id', 'user_email', 'name', 'phone', 'company', 'status', 'attempts', 'created_at']),
    );

    const some = await a.client.from('leads').select('name, firm:company').order('name');
    expect(some.data).toEqual([
      { name: 'Ada', firm: null },
      { name: 'Alan', firm: 'Bletchley' },
    ]);
    const bSees = await b.client.from('leads').select('name');
    expect(bSees.data).toEqual([{ name: 'Grace' }]);
  });

  it('filters eq neq gt gte lt lte in is like ilike, each alone and combined', async () => {
    const [a] = await twoUsers();
    await seedLeads(server.db, a.email, [
      { name: 'Ada', attempts: 0, company: 'Analytical, Ltd (UK)' },
      { name: 'Alan', attempts: 1, company: null },
      { name: 'Grace', attempts: 2, company: 'Navy' },
      { name: 'Linus', attempts: 3, company: 'navy yard' },
    ]);
    const names = async (build: (query: LeadNamesQuery) => LeadNamesQuery) => {
      const { data, error } = await build(selectLeadNames(a.client).order('name'));
      expect(error).toBeNull();
      return (data as { name: string }[]).map((lead) => lead.name);
    };
    expect(await names((q) => q.eq('name', 'Grace'))).toEqual(['Grace']);
    expect(await names((q) => q.neq('name', 'Grace'))).toEqual(['Ada', 'Alan', 'Linus']);
    expect(await names((q) => q.gt('attempts', 1))).toEqual(['Grace', 'Linus']);
    expect(await names((q) => q.gte('attempts', 1))).toEqual(['Alan', 'Grace', 'Linus']);
    expect(await names((q) => q.lt('attempts', 1))).toEqual(['Ada']);
    expect(await names((q) => q.lte('attempts', 1))).toEqual(['Ada', 'Alan']);
    expect(await names((q) => q.in('company', ['Analytical, Ltd (UK)', 'Navy']))).toEqual(['Ada', 'Grace']);
    expect(await names((q) => q.in('attempts', []))).toEqual([]);
    expect(await names((q) => q.not('attempts', 'in', '(0,3)'))).toEqual(['Alan', 'Grace']);
    expect(await names((q) => q.is('company', null))).toEqual(['Alan']);
    expect(await names((q) => q.not('company', 'is', null))).toEqual(['Ada', 'Grace', 'Linus']);
    expect(await names((q) => q.like('company', 'N%'))).toEqual(['Grace']);
    expect(await names((q) => q.ilike('company', 'navy*'))).toEqual(['Grace', 'Linus']);
    expect(await names((q) => q.gte('attempts', 1).lt('attempts', 3).neq('name', 'Alan'))).toEqual(['Grace']);
    expect(await names((q) => q.filter('attempts', 'eq', '2'))).toEqual(['Grace']);
  });

  it('order by several columns, asc and desc, nulls first and last', async () => {
    const [a] = await twoUsers();
    await seedLeads(server.db, a.email, [
      { name: 'b', attempts: 1, last_called_at: '2024-01-02T00:00:00Z' },
      { name: 'a', attempts: 1, last_called_at: null },
      { name: 'c', attempts: 2, last_called_at: '2024-01-01T00:00:00Z' },
      { name: 'd', attempts: 0, last_called_at: null },
    ]);
    const order = async (build: (query: LeadNamesQuery) => LeadNamesQuery) =>
      ((await build(selectLeadNames(a.client))).data as { name: string }[]).map((lead) => lead.name);
    expect(await order((q) => q.order('attempts', { ascending: false }).order('name'))).toEqual(['c', 'a', 'b', 'd']);
    expect(await order((q) => q.order('last_called_at', { ascending: true, nullsFirst: true }).order('name'))).toEqual(['a', 'd', 'c', 'b']);
    expect(await order((q) => q.order('last_called_at', { ascending: false, nullsFirst: false }).order('name', { ascending: false }))).toEqual(['b', 'c', 'd', 'a']);
  });

  it('limit, range and count=exact set the rows, the status and Content-Range as PostgREST does', async () => {
    const [a] = await twoUsers();
    await seedLeads(server.db, a.email, ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name })));
    const limited = await a.client.from('leads').select('name').order('name').limit(2);
    expect(limited.data).toEqual([{ name: 'a' }, { name: 'b' }]);
    expect(limited.count).toBeNull();

    const page = await a.client.from('leads').select('name', { count: 'exact' }).order('name').range(1, 3);
    expect(page.data).toEqual([{ name: 'b' }, { name: 'c' }, { name: 'd' }]);
    expect(page.count).toBe(5);
    expect(page.status).toBe(206);

    const whole = await a.client.from('leads').select('name', { count: 'exact' }).gte('name', 'd');
    expect(whole).toMatchObject({ status: 200, count: 2 });

    const head = await a.client.from('leads').select('*', { count: 'exact', head: true });
    expect(head).toMatchObject({ status: 200, count: 5, data: null });

    const counted = await rest('leads?select=name&order=name&offset=1&limit=3', a.accessToken, { headers: { Prefer: 'count=exact' } });
    expect(counted.status).toBe(206);
    expect(counted.headers.get('content-range')).toBe('1-3/5');
    const uncounted = await rest('leads?select=name&order=name', a.accessToken, { headers: { Range: '3-' } });
    expect(uncounted.status).toBe(200);
    expect(uncounted.headers.get('content-range')).toBe('3-4/*');
    expect(await uncounted.json()).toEqual([{ name: 'd' }, { name: 'e' }]);
    const byHeader = await rest('leads?select=name&order=name', a.accessToken, { headers: { Range: '0-1', 'Range-Unit': 'items' } });
    expect(await byHeader.json()).toEqual([{ name: 'a' }, { name: 'b' }]);
    const empty = await rest('leads?select=name&name=eq.zzz', a.accessToken, { headers: { Prefer: 'count=exact' } });
    expect(empty.headers.get('content-range')).toBe('*/0');

    const beyond = await a.client.from('leads').select('name', { count: 'exact' }).range(7, 9);
    expect(beyond.status).toBe(416);
    expect(beyond.error).toMatchObject({ code: 'PGRST103', message: 'Requested range not satisfiable' });
  });

  it('.single() answers one object, or 406 PGRST116; .maybeSingle() answers null for no row', async () => {
    const [a] = await twoUsers();
    await seedLeads(server.db, a.email, [{ name: 'Ada' }, { name: 'Alan' }]);
    const one = await a.client.from('leads').select('name').eq('name', 'Ada').single();
    expect(one).toMatchObject({ status: 200, error: null, data: { name: 'Ada' } });

    const none = await a.client.from('leads').select('name').eq('name', 'nobody').single();
    expect(none.status).toBe(406);
    expect(none.data).toBeNull();
    expect(none.error).toEqual({ code: 'PGRST116', message: 'JSON object requested, multiple (or no) rows returned', details: 'The result contains 0 rows', hint: null });
    const many = await a.client.from('leads').select('name').single();
    expect(many.status).toBe(406);
    expect(many.error).toMatchObject({ code: 'PGRST116', details: 'The result contains 2 rows' });

    const maybeNone = await a.client.from('leads').select('name').eq('name', 'nobody').maybeSingle();
    expect(maybeNone).toMatchObject({ status: 200, error: null, data: null });
    const maybeOne = await a.client.from('leads').select('name').eq('name', 'Alan').maybeSingle();
    expect(maybeOne.data).toEqual({ name: 'Alan' });
    const maybeMany = await a.client.from('leads').select('name').maybeSingle();
    expect(maybeMany.error).toMatchObject({ code: 'PGRST116' });

    const raw = await rest('leads?select=name&name=eq.Ada', a.accessToken, { headers: { Accept: 'application/vnd.pgrst.object+json' } });
    expect(raw.headers.get('content-type')).toContain('application/vnd.pgrst.object+json');
    expect(await raw.json()).toEqual({ name: 'Ada' });
  });

  it('insert an object or an array, with .select() or return=minimal', async () => {
    const [a] = await twoUsers();
    const single = await a.client.from('leads').insert({ user_email: a.email, name: 'Ada', phone: '+14155550101' }).select().single();
    expect(single.status).toBe(201);
    expect(single.data).toMatchObject({ user_email: a.email, name: 'Ada', status: 'new', attempts: 0, company: null });
    expect(single.data?.id).toMatch(/^[0-9a-f-]{36}$/);

    // As in PostgREST, a key missing from one row of an array is NULL, or the column default with
    // defaultToNull: false (as the service role, since attempts are the server's to write).
    const service = clientWithToken(server.tokens.serviceRoleKey);
    const rows = [
      { user_email: a.email, name: 'Alan', phone: '+14155550102' },
      { user_email: a.email, name: 'Grace', phone: '+14155550103', company: 'Navy', attempts: 2 },
    ];
    const nulls = await service.from('leads').insert(rows).select('name');
    expect(nulls.status).toBe(400);
    expect(nulls.error).toMatchObject({ code: '23502', message: expect.stringContaining('attempts') });
    const many = await service.from('leads').insert(rows, { defaultToNull: false }).select('name, company, attempts');
    const planted = await a.client.from('leads').insert({ user_email: a.email, name: 'Grace', phone: '+14155550103', attempts: 2 });
    expect(planted.error).toMatchObject({ code: '42501' });
    expect(many.data).toEqual([
      { name: 'Alan', company: null, attempts: 0 },
      { name: 'Grace', company: 'Navy', attempts: 2 },
    ]);

    const minimal = await a.client.from('leads').insert({ user_email: a.email, name: 'Linus', phone: '+14155550104' });
    expect(minimal).toMatchObject({ status: 201, data: null, error: null });

    const counted = await rest('leads', a.accessToken, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Prefer: 'return=minimal, count=exact' },
      body: JSON.stringify({ user_email: a.email, name: 'Margaret', phone: '+14155550105' }),
    });
    expect(counted.status).toBe(201);
    expect(counted.headers.get('content-range')).toBe('*/1');
    expect(await counted.text()).toBe('');

    expect(await leadNames(server.db, a.email)).toEqual(['Ada', 'Alan', 'Grace', 'Linus', 'Margaret']);
  });

  it('AU1 inserting a lead for another user is refused with 403 and writes nothing', async () => {
    const [a, b] = await twoUsers();
    const planted = await a.client.from('leads').insert({ user_email: b.email, name: 'Planted', phone: '+14155550106' }).select();
    expect(planted.status).toBe(403);
    expect(planted.error).toMatchObject({ code: '42501', message: expect.stringContaining('row-level security') });
    const batch = await a.client.from('leads').insert([
      { user_email: a.email, name: 'Mine', phone: '+14155550107' },
      { user_email: b.email, name: 'Theirs', phone: '+14155550108' },
    ]);
    expect(batch.status).toBe(403);
    expect(await leadNames(server.db, a.email)).toEqual([]);
    expect(await leadNames(server.db, b.email)).toEqual([]);
  });

  it('IN1 database errors come back in PostgREST shape: 23514, 23502, 22P02 as 400, 23505 as 409', async () => {
    const [a] = await twoUsers();
    const badPhone = await a.client.from('leads').insert({ user_email: a.email, name: 'Ada', phone: 'not a phone' });
    expect(badPhone.status).toBe(400);
    expect(badPhone.error).toMatchObject({ code: '23514', message: expect.stringContaining('leads_phone_check') });
    expect(Object.keys(badPhone.error ?? {}).sort()).toEqual(['code', 'details', 'hint', 'message']);

    const noName = await a.client.from('leads').insert({ user_email: a.email, phone: '+14155550109' });
    expect(noName.status).toBe(400);
    expect(noName.error).toMatchObject({ code: '23502' });

    const badUuid = await a.client.from('leads').select('id').eq('id', 'not-a-uuid');
    expect(badUuid.status).toBe(400);
    expect(badUuid.error).toMatchObject({ code: '22P02' });
    const badNumber = await a.client.from('leads').select('id').gt('attempts', 'many');
    expect(badNumber.error).toMatchObject({ code: '22P02' });

    // Signing up made the user's settings row (only the service role writes settings through REST).
    const again = await clientWithToken(server.tokens.serviceRoleKey).from('dialer_settings').insert({ user_email: a.email });
    expect(again.status).toBe(409);
    expect(again.error).toMatchObject({ code: '23505', message: expect.stringContaining('dialer_settings_pkey') });
    expect(await leadNames(server.db, a.email)).toEqual([]);
  });

  it('update with .eq() changes the caller’s row; AU1 another user’s row stays as it was', async () => {
    const [a, b] = await twoUsers();
    const [aLead] = await seedLeads(server.db, a.email, [{ name: 'Ada' }]);
    const [bLead] = await seedLeads(server.db, b.email, [{ name: 'Grace' }]);

    const updated = await a.client.from('leads').update({ notes: 'call back Tuesday' }).eq('id', aLead).select('notes, attempts').single();
    expect(updated).toMatchObject({ status: 200, data: { notes: 'call back Tuesday', attempts: 0 } });

    const minimal = await a.client.from('leads').update({ company: 'Analytical Engines' }).eq('id', aLead);
    expect(minimal).toMatchObject({ status: 204, data: null, error: null });
    // TR1: status and attempts are the server's.
    for (const change of [{ status: 'callback' }, { attempts: 4 }, { last_called_at: '2020-01-01T00:00:00Z' }]) {
      const refused = await a.client.from('leads').update(change).eq('id', aLead);
      expect(refused.status).toBe(403);
      expect(refused.error).toMatchObject({ code: '42501' });
    }

    const takeover = await a.client.from('leads').update({ name: 'Stolen', user_email: a.email }).eq('id', bLead).select();
    expect(takeover.status).toBe(403);
    const foreign = await a.client.from('leads').update({ name: 'Stolen' }).eq('id', bLead).select();
    expect(foreign).toMatchObject({ status: 200, error: null, data: [] });
    const foreignSingle = await a.client.from('leads').update({ name: 'Stolen' }).eq('id', bLead).select().single();
    expect(foreignSingle.status).toBe(406);

    const [aRow] = await server.db.query('select notes, attempts, status from leads where id = $1', [aLead]);
    expect(aRow).toEqual({ notes: 'call back Tuesday', attempts: 0, status: 'new' });
    expect(await leadNames(server.db, b.email)).toEqual(['Grace']);
    expect(await leadNames(server.db, a.email)).toEqual(['Ada']);
  });

  it('a change that .single() cannot answer with one row is rolled back', async () => {
    const [a] = await twoUsers();
    await seedLeads(server.db, a.email, [{ name: 'Ada' }, { name: 'Alan' }]);
    const both = await a.client.from('leads').update({ notes: 'touched' }).like('name', 'A*').select().single();
    expect(both.status).toBe(406);
    expect(both.error).toMatchObject({ code: 'PGRST116', details: 'The result contains 2 rows' });
    const notes = await server.db.query('select notes from leads where user_email = $1', [a.email]);
    expect(notes).toEqual([{ notes: null }, { notes: null }]);

    const deleted = await a.client.from('leads').delete().like('name', 'A*').select().single();
    expect(deleted.status).toBe(406);
    expect(await leadNames(server.db, a.email)).toEqual(['Ada', 'Alan']);
  });

  it('delete with .eq() removes the caller’s row; AU1 another user’s row survives', async () => {
    const [a, b] = await twoUsers();
    const [aLead] = await seedLeads(server.db, a.email, [{ name: 'Ada' }, { name: 'Alan' }]);
    const [bLead] = await seedLeads(server.db, b.email, [{ name: 'Grace' }]);
    const gone = await a.client.from('leads').delete().eq('id', aLead).select('name');
    expect(gone).toMatchObject({ status: 200, data: [{ name: 'Ada' }] });
    const foreign = await a.client.from('leads').delete({ count: 'exact' }).eq('id', bLead);
    expect(foreign).toMatchObject({ status: 204, count: 0, error: null });
    expect(await leadNames(server.db, a.email)).toEqual(['Alan']);
    expect(await leadNames(server.db, b.email)).toEqual(['Grace']);
  });

  it('IN1 update or delete without a filter is refused and changes nothing', async () => {
    const [a] = await twoUsers();
    await seedLeads(server.db, a.email, [{ name: 'Ada' }]);
    const update = await a.client.from('leads').update({ notes: 'all' });
    expect(update.status).toBe(400);
    expect(update.error).toMatchObject({ code: '21000', message: 'UPDATE requires a WHERE clause' });
    const remove = await a.client.from('leads').delete();
    expect(remove.error).toMatchObject({ code: '21000', message: 'DELETE requires a WHERE clause' });
    expect(await server.db.query('select name, notes from leads where user_email = $1', [a.email])).toEqual([{ name: 'Ada', notes: null }]);
  });

  it('upsert merges on the conflict column or ignores the duplicate; TR1 a user writes settings only through dialerSettings', async () => {
    const [a, b] = await twoUsers();
    const service = clientWithToken(server.tokens.serviceRoleKey);
    await server.db.query('delete from dialer_settings where user_email = $1', [a.email]);
    await server.db.query('update dialer_settings set caller_id = $2 where user_email = $1', [b.email, '+14155550111']);
    const own = await a.client.from('dialer_settings').upsert({ user_email: a.email, caller_id: '+14155550110' }, { onConflict: 'user_email' });
    expect(own.status).toBe(403);
    expect(own.error).toMatchObject({ code: '42501' });
    const created = await service.from('dialer_settings').upsert({ user_email: a.email, caller_id: '+14155550110' }, { onConflict: 'user_email' }).select('user_email, caller_id, use_mock_dialer').single();
    expect(created).toMatchObject({ status: 201, data: { user_email: a.email, caller_id: '+14155550110', use_mock_dialer: true } });
    const merged = await service
      .from('dialer_settings')
      .upsert({ user_email: a.email, use_mock_dialer: false, mock_config: { seed: 7, dialSeconds: 1 } }, { onConflict: 'user_email' })
      .select('caller_id, use_mock_dialer, mock_config')
      .single();
    expect(merged.data).toEqual({ caller_id: '+14155550110', use_mock_dialer: false, mock_config: { seed: 7, dialSeconds: 1 } });
    const ignored = await service.from('dialer_settings').upsert({ user_email: a.email, use_mock_dialer: true }, { ignoreDuplicates: true }).select();
    expect(ignored).toMatchObject({ status: 201, data: [] });
    const [row] = await server.db.query('select use_mock_dialer, mock_config from dialer_settings where user_email = $1', [a.email]);
    expect(row).toEqual({ use_mock_dialer: false, mock_config: { seed: 7, dialSeconds: 1 } });

    const takeover = await a.client.from('dialer_settings').upsert({ user_email: b.email, caller_id: '+14155550112' }, { onConflict: 'user_email' });
    expect(takeover.status).toBe(403);
    const [bRow] = await server.db.query('select caller_id from dialer_settings where user_email = $1', [b.email]);
    expect(bRow).toEqual({ caller_id: '+14155550111' });
  });

  it('AU1 active calls: own rows only, lead_id is.null, no inserts, no changes to another user’s call', async () => {
    const [a, b] = await twoUsers();
    const [lead] = await seedLeads(server.db, a.email, [{ name: 'Ada' }]);
    const dialerCall = await seedCall(server.db, a.email, 1);
    const leadCall = await seedCall(server.db, a.email, 2, lead);
    const bCall = await seedCall(server.db, b.email, 1);

    const dialer = await a.client.from('active_calls').select('id, status, lead_id').eq('user_email', a.email).is('lead_id', null);
    expect(dialer.data).toEqual([{ id: dialerCall, status: 'dialing', lead_id: null }]);
    const withLead = await a.client.from('active_calls').select('id').eq('lead_id', lead ?? '').maybeSingle();
    expect(withLead.data).toEqual({ id: leadCall });
    const peek = await a.client.from('active_calls').select('id').eq('user_email', b.email);
    expect(peek.data).toEqual([]);
    const inList = await a.client.from('active_calls').select('id').in('id', [dialerCall, bCall]);
    expect(inList.data).toEqual([{ id: dialerCall }]);

    const insert = await a.client.from('active_calls').insert({ user_email: a.email, line_number: 3, to_number: '+14155550113' });
    expect(insert.status).toBe(403);
    expect(insert.error).toMatchObject({ code: '42501', message: 'permission denied for table active_calls' });

    const hangUpTheirs = await a.client.from('active_calls').update({ status: 'canceled' }).eq('id', bCall).select();
    expect(hangUpTheirs.status).toBe(403);

    // TR1: not even one's own call: a forged end, a year of talk time, another user's lead.
    const forged = await a.client
      .from('active_calls')
      .update({ status: 'completed', answered_at: '2020-01-01T00:00:00Z', ended_at: '2030-01-01T00:00:00Z', duration_seconds: 31536000, status_source: 'webhook' })
      .eq('id', dialerCall);
    expect(forged.status).toBe(403);
    expect(forged.error).toMatchObject({ code: '42501', message: 'permission denied for table active_calls' });
    const relinked = await a.client.from('active_calls').update({ lead_id: lead }).eq('id', dialerCall);
    expect(relinked.status).toBe(403);
    const removed = await a.client.from('active_calls').delete().eq('id', dialerCall);
    expect(removed.status).toBe(403);
    const rows = await server.db.query('select id, status, lead_id from active_calls where id in ($1, $2) order by id', [dialerCall, bCall]);
    expect(rows).toEqual(expect.arrayContaining([{ id: dialerCall, status: 'dialing', lead_id: null }, { id: bCall, status: 'dialing', lead_id: null }]));
    expect((await a.client.from('call_logs').select('id')).data).toEqual([]);
    expect((await a.client.from('user_stats').select('calls_made')).data).toEqual([]);
    expect((await b.client.from('call_logs').select('id')).data).toEqual([]);
    expect((await b.client.from('user_stats').select('user_email')).data).toEqual([]);
  });

  it('TR1 call history is read-only through REST: dispositions go through saveDisposition', async () => {
    const [a, b] = await twoUsers();
    const aCall = await seedCall(server.db, a.email, 1);
    const bCall = await seedCall(server.db, b.email, 1);
    await server.db.query(`update active_calls set status = 'completed' where id in ($1, $2)`, [aCall, bCall]);

    for (const change of [{ disposition: 'interested', notes: 'wants a demo' }, { outcome: 'failed' }, { talk_seconds: 99999 }]) {
      const refused = await a.client.from('call_logs').update(change).eq('active_call_id', aCall);
      expect(refused.status).toBe(403);
      expect(refused.error).toMatchObject({ code: '42501' });
    }
    const remove = await a.client.from('call_logs').delete().eq('active_call_id', aCall);
    expect(remove.status).toBe(403);
    const rows = await server.db.query('select disposition, notes, outcome from call_logs where active_call_id in ($1, $2)', [aCall, bCall]);
    expect(rows).toEqual([
      { disposition: null, notes: null, outcome: 'completed' },
      { disposition: null, notes: null, outcome: 'completed' },
    ]);
  });

  it('the anon key reads the status tables but no user data (401); the service role reads everyone’s', async () => {
    const [a, b] = await twoUsers();
    await seedLeads(server.db, a.email, [{ name: 'Ada' }]);
    await seedLeads(server.db, b.email, [{ name: 'Grace' }]);
    const anon = server.client();
    const leads = await anon.from('leads').select('name');
    expect(leads.status).toBe(401);
    expect(leads.error).toMatchObject({ code: '42501', message: 'permission denied for table leads' });
    const statuses = await anon.from('call_statuses').select('status').eq('is_terminal', false).order('status');
    expect(statuses.data).toEqual([{ status: 'dialing' }, { status: 'in-progress' }, { status: 'ringing' }]);
    const transitions = await anon.from('call_status_transitions').select('to_status', { count: 'exact', head: true }).eq('from_status', 'in-progress');
    expect(transitions.count).toBe(3);
    // The anon key writes nothing: refused before its body is read, whatever its size.
    const planted = await anon.from('leads').insert(Array.from({ length: 2000 }, (_, i) => ({ user_email: a.email, name: `Spam ${i}`, phone: '+14155550100' })));
    expect(planted.status).toBe(401);
    expect(planted.error).toMatchObject({ code: '42501', message: 'permission denied for table leads' });
    expect(await leadNames(server.db, a.email)).toEqual(['Ada']);

    const service = clientWithToken(server.tokens.serviceRoleKey);
    const everyone = await service.from('leads').select('name').in('user_email', [a.email, b.email]).order('name');
    expect(everyone.data).toEqual([{ name: 'Ada' }, { name: 'Grace' }]);
    const rewrite = await service.from('call_statuses').update({ is_terminal: true }).eq('status', 'dialing');
    expect(rewrite.status).toBe(403);
    expect(rewrite.error).toMatchObject({ code: '42501' });
    const written = await a.client.from('call_statuses').insert({ status: 'on-hold', is_terminal: false });
    expect(written.status).toBe(403);
    const [dialing] = await server.db.query(`select is_terminal from call_statuses where status = 'dialing'`);
    expect(dialing).toEqual({ is_terminal: false });
  });

  it('tables that are not exposed get 404 PGRST205; another schema gets 406 PGRST106', async () => {
    const [a] = await twoUsers();
    for (const table of ['twilio_call_logs', 'schema_migrations', 'users', 'auth.users', 'refresh_tokens', 'pg_user', 'no_such_table']) {
      const result = await a.client.from(table).select('*');
      expect(result.status, table).toBe(404);
      expect(result.error, table).toEqual({ code: 'PGRST205', message: `Could not find the table 'public.${table}' in the schema cache`, details: null, hint: null });
    }
    const service = clientWithToken(server.tokens.serviceRoleKey);
    expect((await service.from('twilio_call_logs').select('*')).error).toMatchObject({ code: 'PGRST205' });
    expect((await service.from('twilio_call_logs').insert({ direction: 'webhook', event: 'x' })).error).toMatchObject({ code: 'PGRST205' });

    const auth = await a.client.schema('auth').from('users').select('*');
    expect(auth.status).toBe(406);
    expect(auth.error).toMatchObject({ code: 'PGRST106' });
  });

  it('IN1 unknown columns: 42703 in select, filter and order; PGRST204 in a body; nothing written', async () => {
    const [a] = await twoUsers();
    const [lead] = await seedLeads(server.db, a.email, [{ name: 'Ada' }]);
    const select = await a.client.from('leads').select('name, password');
    expect(select.status).toBe(400);
    expect(select.error).toEqual({ code: '42703', message: 'column leads.password does not exist', details: null, hint: null });
    expect((await a.client.from('leads').select('name').eq('nope', 1)).error).toMatchObject({ code: '42703' });
    expect((await a.client.from('leads').select('name').order('nope')).error).toMatchObject({ code: '42703' });
    const body = await a.client.from('leads').update({ name: 'Changed', nope: 1 }).eq('id', lead ?? '');
    expect(body.status).toBe(400);
    expect(body.error).toMatchObject({ code: 'PGRST204', message: "Could not find the 'nope' column of 'leads' in the schema cache" });
    expect(await leadNames(server.db, a.email)).toEqual(['Ada']);
  });

  it('IN1 malformed queries get 400 PGRST100 and write nothing', async () => {
    const [a] = await twoUsers();
    await seedLeads(server.db, a.email, [{ name: 'Ada' }]);
    const badOperator = await a.client.from('leads').select('name').filter('name', 'equals', 'Ada');
    expect(badOperator.status).toBe(400);
    expect(badOperator.error).toMatchObject({ code: 'PGRST100', message: 'failed to parse filter (equals.Ada)' });
    expect(typeof badOperator.error?.details).toBe('string');
    for (const query of ['name=Ada', 'name=in.(Ada', 'name=is.maybe', 'order=name.up', 'limit=ten', 'select=leads(*)', 'or=(name.eq.Ada', 'or=(name.eq.Ada,company)', 'and=name.eq.Ada', 'not.or=()']) {
      const response = await rest(`leads?${query}`, a.accessToken);
      expect(response.status, query).toBe(400);
      expect(await response.json(), query).toMatchObject({ code: 'PGRST100', details: expect.any(String), hint: null });
    }
    const patch = await rest('leads?name=eqq.Ada', a.accessToken, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'Changed' }) });
    expect(patch.status).toBe(400);
    const remove = await rest('leads?name=Ada', a.accessToken, { method: 'DELETE' });
    expect(remove.status).toBe(400);
    const badJson = await rest('leads', a.accessToken, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name": ' });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ code: 'PGRST102' });
    const put = await rest('leads?name=eq.Ada', a.accessToken, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(put.status).toBe(405);
    expect(await leadNames(server.db, a.email)).toEqual(['Ada']);
  });

  it('AU1 SQL in a value or a column name is data or an error, never SQL', async () => {
    const [a, b] = await twoUsers();
    await seedLeads(server.db, a.email, [{ name: 'Ada' }]);
    await seedLeads(server.db, b.email, [{ name: 'Grace' }]);
    const attacks = [`x' or '1'='1`, `Ada'; delete from leads; --`, `") or true; --`, `$1`, `'); drop table leads; --`];
    for (const value of attacks) {
      expect((await a.client.from('leads').select('name').eq('name', value)).data, value).toEqual([]);
      // postgrest-js quotes an in() value with , ( or ) but does not escape a double quote inside it.
      if (!value.includes('"')) expect((await a.client.from('leads').select('name').in('name', [value, 'Ada'])).data, value).toEqual([{ name: 'Ada' }]);
      expect((await a.client.from('leads').select('name').like('name', value)).data, value).toEqual([]);
      const quoted = `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
      expect((await a.client.from('leads').select('name').or(`name.eq.${quoted},name.ilike.${quoted},name.eq.Ada`)).data, value).toEqual([{ name: 'Ada' }]);
    }
    const stored = await a.client.from('leads').insert({ user_email: a.email, name: `Robert'); drop table leads; --`, phone: '+14155550114' }).select('name').single();
    expect(stored.data).toEqual({ name: `Robert'); drop table leads; --` });

    const columnAttacks = ['name; drop table leads', 'name" = name or "1', `name) or (1=1`, 'user_email,name'];
    for (const column of columnAttacks) {
      const filtered = await a.client.from('leads').select('name').eq(column, 'x');
      expect(filtered.status, column).toBe(400);
      expect(filtered.data, column).toBeNull();
    }
    const selected = await a.client.from('leads').select('name, "user_email" from leads; --');
    expect(selected.status).toBe(400);
    const inTree = await a.client.from('leads').select('name').or('"name; drop table leads".eq.x,name.eq.Ada');
    expect(inTree).toMatchObject({ status: 400, error: { code: '42703' } });
    const quotedInTree = await a.client.from('leads').select('name').or('"name"" = name or ""1".eq.x');
    expect(quotedInTree).toMatchObject({ status: 400, error: { code: 'PGRST100' } });
    const ordered = await a.client.from('leads').select('name').order('name; drop table leads');
    expect(ordered.status).toBe(400);
    const inserted = await a.client.from('leads').insert({ user_email: a.email, name: 'x', phone: '+14155550115', 'notes") values (1); --': 'x' });
    expect(inserted.error).toMatchObject({ code: 'PGRST204' });

    expect(await leadNames(server.db, a.email)).toEqual(['Ada', `Robert'); drop table leads; --`]);
    expect(await leadNames(server.db, b.email)).toEqual(['Grace']);
  });

  it('a bad or expired token gets 401 in PostgREST shape; none reaches the database', async () => {
    const [a] = await twoUsers();
    await seedLeads(server.db, a.email, [{ name: 'Ada' }]);
    const forged = await clientWithToken(`${a.accessToken.slice(0, -4)}AAAA`).from('leads').select('name');
    expect(forged.status).toBe(401);
    expect(forged.error).toMatchObject({ code: 'PGRST301', details: null, hint: null, message: expect.any(String) });
    const { token } = await server.tokens.signAccessToken({ id: a.userId, email: a.email, sessionId: crypto.randomUUID() }, Math.floor(Date.now() / 1000) - 7200);
    const expired = await clientWithToken(token).from('leads').update({ name: 'Changed' }).eq('name', 'Ada');
    expect(expired.status).toBe(401);
    expect(expired.error).toMatchObject({ code: 'PGRST301', message: expect.stringContaining('expired') });
    expect(await leadNames(server.db, a.email)).toEqual(['Ada']);
  });

  it('Prefer and Accept headers: return=representation, count=exact on changes, stripped nulls, unknown media type', async () => {
    const [a] = await twoUsers();
    await seedLeads(server.db, a.email, [{ name: 'Ada' }, { name: 'Alan' }]);
    const patched = await rest('leads?name=like.A*&select=name', a.accessToken, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', Prefer: 'return=representation,count=exact' },
      body: JSON.stringify({ notes: 'n' }),
    });
    expect(patched.status).toBe(200);
    expect(patched.headers.get('content-range')).toBe('0-1/2');
    expect(await patched.json()).toEqual(expect.arrayContaining([{ name: 'Ada' }, { name: 'Alan' }]));

    const stripped = await a.client.from('leads').select('name, company').eq('name', 'Ada').stripNulls();
    expect(stripped.data).toEqual([{ name: 'Ada' }]);
    const csv = await rest('leads?select=name', a.accessToken, { headers: { Accept: 'text/csv' } });
    expect(csv.status).toBe(406);
    expect(await csv.json()).toMatchObject({ code: 'PGRST107' });
    const xml = await rest('leads', a.accessToken, { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: '<lead/>' });
    expect(xml.status).toBe(415);
    expect(await leadNames(server.db, a.email)).toEqual(['Ada', 'Alan']);
  });
});
