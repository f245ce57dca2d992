import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { MAX_LOGIC_CONDITIONS, MAX_LOGIC_DEPTH } from '../src/api/rest/parse-logic-tree.js';
import { DATABASE_KINDS } from './support/databases.js';
import { startTestServer, type SignedUpUser, type TestServer } from './support/server.js';

/**
 * LS1 and the lead and History screens' search, through supabase-js as the web app writes it:
 * `.or()` with ilike over name, company and email (and phone digits when the query is a number),
 * `.not()`, nested and/or, several `.order()`s, `.range()` with `{ count: 'exact' }`.
 */

interface LeadSeed {
  readonly name: string;
  readonly phone: string;
  readonly company?: string | null;
  readonly email?: string | null;
  readonly status?: string;
  readonly attempts?: number;
  readonly last_called_at?: string | null;
}

/** Leads written as the server's own role, 500 to a statement, as an import would. */
async function seedLeads(db: Database, userEmail: string, leads: readonly LeadSeed[]): Promise<void> {
  for (let start = 0; start < leads.length; start += 500) {
    const batch = leads.slice(start, start + 500).map((lead) => ({ company: null, email: null, status: 'new', attempts: 0, last_called_at: null, ...lead }));
    await db.query(
      `insert into leads (user_email, name, phone, company, email, status, attempts, last_called_at)
       select $1, name, phone, company, email, status, attempts, last_called_at
       from json_to_recordset($2::text::json) as x(name text, phone text, company text, email text, status text, attempts int, last_called_at timestamptz)`,
      [userEmail, JSON.stringify(batch)],
    );
  }
}

/** A value inside `.or()`: double-quoted, with `\` and `"` escaped, as PostgREST reads it. */
const quote = (value: string) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
/** A user's text as a LIKE pattern: `%`, `_` and `\` taken literally, `*` around it. */
const containing = (text: string) => quote(`*${text.replace(/[\\%_*]/g, (char) => (char === '*' ? '' : `\\${char}`))}*`);

/** The screens' search: name, company and email, and the phone's digits only when the query is a number. */
function searchLeads(client: SupabaseClient, text: string) {
  const conditions = ['name', 'company', 'email'].map((column) => `${column}.ilike.${containing(text)}`);
  const digits = text.replace(/[\s().+-]/g, '');
  if (/^\d+$/.test(digits)) conditions.push(`phone.like.${containing(digits)}`);
  return client.from('leads').select('name').or(conditions.join(',')).order('name');
}

const names = (result: { data: { name: string }[] | null; error: unknown }) => {
  expect(result.error).toBeNull();
  return (result.data ?? []).map((row) => row.name);
};
/** Names as a set: how text sorts depends on the database's collation, which is not under test. */
const found = (result: { data: { name: string }[] | null; error: unknown }) => names(result).sort();
const sorted = (values: string[]) => [...values].sort();

describe.each(DATABASE_KINDS)('REST search and paging through supabase-js on %s', (kind) => {
  let server: TestServer;
  let owner: SignedUpUser;
  const rest = (path: string, token: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/rest/v1/${path}`, { headers: { apikey: server.tokens.anonKey, Authorization: `Bearer ${token}`, ...headers } });

  beforeAll(async () => {
    server = await startTestServer(kind);
    owner = await server.signUp('search');
    const stranger = await server.signUp('search-other');
    await seedLeads(server.db, owner.email, [
      { name: 'Ada Lovelace', phone: '+14155550101', company: 'Analytical Engines', email: 'ada@example.com', status: 'contacted', attempts: 2, last_called_at: '2026-01-02T10:00:00Z' },
      { name: 'Grace Hopper', phone: '+12025550123', company: 'Acme, Inc (West)', email: 'grace@navy.mil', status: 'callback', attempts: 3, last_called_at: '2026-01-03T10:00:00Z' },
      { name: 'Company 28', phone: '+14155552828', company: 'Initech', status: 'new' },
      { name: 'Linus', phone: '+4930123456', company: 'acme ltd', email: 'linus@acme.io', status: 'callback', attempts: 1 },
      { name: '50% Club', phone: '+14155557777', company: null, email: null, status: 'new', attempts: 1 },
      { name: '500 Club', phone: '+14155558888', company: 'say "hi"', email: null, status: 'not_interested', attempts: 5 },
    ]);
    await seedLeads(server.db, stranger.email, [{ name: 'Acme Stranger', phone: '+14155550999', company: 'Acme, Inc (West)' }]);
  });
  afterAll(async () => {
    await server.close();
  });

  it('LS1 searches name, company and email with or + ilike, case-insensitively, within the user\'s own leads (AU1)', async () => {
    expect(names(await searchLeads(owner.client, 'acme'))).toEqual(['Grace Hopper', 'Linus']);
    expect(names(await searchLeads(owner.client, 'NAVY'))).toEqual(['Grace Hopper']);
    expect(names(await searchLeads(owner.client, 'lovelace'))).toEqual(['Ada Lovelace']);
    expect(names(await searchLeads(owner.client, 'zzz 1'))).toEqual([]);
    const direct = await owner.client.from('leads').select('name').ilike('email', '*@ACME.io').order('name');
    expect(names(direct)).toEqual(['Linus']);
  });

  it('LS1 matches phone digits only when the query is a number', async () => {
    expect(names(await searchLeads(owner.client, '2828'))).toEqual(['Company 28']);
    expect(names(await searchLeads(owner.client, '555-0101'))).toEqual(['Ada Lovelace']);
    expect(found(await searchLeads(owner.client, '0'))).toEqual(sorted(['50% Club', '500 Club', 'Ada Lovelace', 'Grace Hopper', 'Linus']));
    // Not a number: "28" in a phone does not count, the name does.
    expect(names(await searchLeads(owner.client, 'Company 28'))).toEqual(['Company 28']);
  });

  it('quotes values with commas, parentheses, quotes and LIKE wildcards', async () => {
    expect(names(await searchLeads(owner.client, 'Acme, Inc (West)'))).toEqual(['Grace Hopper']);
    expect(names(await searchLeads(owner.client, 'say "hi"'))).toEqual(['500 Club']);
    expect(names(await searchLeads(owner.client, '50%'))).toEqual(['50% Club']);
    const exact = await owner.client.from('leads').select('name').or(`company.eq.${quote('Acme, Inc (West)')},name.eq.Linus`).order('name');
    expect(names(exact)).toEqual(['Grace Hopper', 'Linus']);
    const listed = await owner.client.from('leads').select('name').or('company.in.("Acme, Inc (West)",Initech)').order('name');
    expect(names(listed)).toEqual(['Company 28', 'Grace Hopper']);
  });

  it('not, nested and/or and not.or, with .not() and top-level and= / not.or=', async () => {
    const notNew = await owner.client.from('leads').select('name').not('status', 'eq', 'new').not('company', 'is', null).order('name');
    expect(found(notNew)).toEqual(sorted(['500 Club', 'Ada Lovelace', 'Grace Hopper', 'Linus']));
    const nested = await owner.client
      .from('leads')
      .select('name')
      .or('status.eq.new,and(attempts.gte.2,not.or(company.is.null,company.ilike.*acme*))')
      .order('name');
    expect(found(nested)).toEqual(sorted(['50% Club', '500 Club', 'Ada Lovelace', 'Company 28']));
    const notIlike = await owner.client.from('leads').select('name').not('name', 'ilike', '*club*').lt('attempts', 3).order('name');
    expect(names(notIlike)).toEqual(['Ada Lovelace', 'Company 28', 'Linus']);

    const andKey = await rest(`leads?select=name&order=name&${new URLSearchParams({ and: '(attempts.gte.1,or(name.like.A*,name.like.L*))' })}`, owner.accessToken);
    expect(await andKey.json()).toEqual([{ name: 'Ada Lovelace' }, { name: 'Linus' }]);
    const notOr = await rest(`leads?select=name&order=name&${new URLSearchParams({ 'not.or': '(status.eq.new,last_called_at.not.is.null)' })}`, owner.accessToken);
    expect(await notOr.json()).toEqual([{ name: '500 Club' }, { name: 'Linus' }]);
  });

  it('AU1 a logic tree filters updates too, and only within the user\'s own leads', async () => {
    const updated = await owner.client.from('leads').update({ notes: 'tree' }).or('name.eq.Linus,name.eq."Acme Stranger"').select('name, notes');
    expect(updated).toMatchObject({ status: 200, error: null, data: [{ name: 'Linus', notes: 'tree' }] });
    const [stranger] = await server.db.query<{ notes: string | null }>(`select notes from leads where name = 'Acme Stranger'`);
    expect(stranger?.notes).toBeNull();
  });

  it('orders by several columns with nullsfirst and nullslast', async () => {
    const byStatus = await owner.client
      .from('leads')
      .select('name')
      .order('status')
      .order('last_called_at', { ascending: false, nullsFirst: true })
      .order('attempts', { ascending: false });
    expect(names(byStatus)).toEqual(['Linus', 'Grace Hopper', 'Ada Lovelace', '50% Club', 'Company 28', '500 Club']);
    const byCall = await owner.client.from('leads').select('name').order('last_called_at', { nullsFirst: false }).order('attempts', { ascending: false }).order('phone');
    expect(names(byCall)).toEqual(['Ada Lovelace', 'Grace Hopper', '500 Club', '50% Club', 'Linus', 'Company 28']);
  });

  it('IN1 refuses bad syntax, too deep or too large trees (PGRST100), like on a number (42883) and unknown columns (42703)', async () => {
    const bad = await owner.client.from('leads').select('name').or('name.eq.a,company');
    expect(bad.status).toBe(400);
    expect(bad.error).toMatchObject({ code: 'PGRST100', message: '"failed to parse logic tree ((name.eq.a,company))" (line 1, column 21)', details: 'unexpected ")" expecting "."' });
    const unbalanced = await owner.client.from('leads').select('name').or('name.eq.Acme, Inc (West)');
    expect(unbalanced).toMatchObject({ status: 400, error: { code: 'PGRST100' } });

    const deep = `${'and('.repeat(MAX_LOGIC_DEPTH)}name.eq.a${')'.repeat(MAX_LOGIC_DEPTH)}`;
    const tooDeep = await owner.client.from('leads').select('name').or(deep);
    expect(tooDeep).toMatchObject({ status: 400, error: { code: 'PGRST100', details: `Logic trees nest at most ${MAX_LOGIC_DEPTH} levels deep.` } });
    const wide = Array.from({ length: MAX_LOGIC_CONDITIONS + 1 }, (_, index) => `attempts.eq.${index}`).join(',');
    const tooWide = await owner.client.from('leads').select('name').or(wide);
    expect(tooWide).toMatchObject({ status: 400, error: { code: 'PGRST100', details: `A logic tree takes at most ${MAX_LOGIC_CONDITIONS} conditions.` } });

    const likeNumber = await owner.client.from('leads').select('name').or('name.ilike.*a*,attempts.like.1*');
    expect(likeNumber).toMatchObject({ status: 404, error: { code: '42883', message: 'operator does not exist: integer ~~ unknown' } });
    const unknown = await owner.client.from('leads').select('name').or('name.eq.a,nope.eq.1');
    expect(unknown).toMatchObject({ status: 400, error: { code: '42703' } });
    const badValue = await owner.client.from('leads').select('name').or('name.eq.a,attempts.eq.lots');
    expect(badValue).toMatchObject({ status: 400, error: { code: '22P02' } });
  });

  it('LS1 pages 2,500 leads with exact counts, never capped, and answers 416 past the end', async () => {
    const big = await server.signUp('search-big');
    const total = 2500;
    await seedLeads(
      server.db,
      big.email,
      Array.from({ length: total }, (_, index) => ({
        name: `Lead ${String(index).padStart(4, '0')}`,
        phone: `+1415${String(5_000_000 + index).padStart(7, '0')}`,
        company: index % 3 === 0 ? `Acme ${index}` : null,
        status: index % 5 === 0 ? 'callback' : 'new',
      })),
    );

    const all = await big.client.from('leads').select('id', { count: 'exact' });
    expect(all).toMatchObject({ status: 200, count: total, error: null });
    expect(all.data).toHaveLength(total);

    const seen: string[] = [];
    for (let from = 0; from < total; from += 300) {
      const page = await big.client.from('leads').select('name', { count: 'exact' }).order('name', { ascending: false }).order('id').range(from, from + 299);
      expect(page.error).toBeNull();
      expect(page.count).toBe(total);
      expect(page.status).toBe(206);
      seen.push(...names(page));
    }
    expect(seen).toHaveLength(total);
    expect(seen[0]).toBe('Lead 2499');
    expect(seen.at(-1)).toBe('Lead 0000');

    // A search with its own count: leads whose company has "acme" or that are due a callback.
    const expected = Array.from({ length: total }, (_, index) => index).filter((index) => index % 3 === 0 || index % 5 === 0).length;
    const searched = await big.client.from('leads').select('name', { count: 'exact' }).or('company.ilike.*ACME*,status.eq.callback').order('name').range(100, 149);
    expect(searched).toMatchObject({ status: 206, count: expected });
    expect(searched.data).toHaveLength(50);

    const lastPage = await rest('leads?select=id&order=name&offset=2450&limit=100', big.accessToken, { Prefer: 'count=exact' });
    expect(lastPage.status).toBe(206);
    expect(lastPage.headers.get('content-range')).toBe(`2450-2499/${total}`);
    const atEnd = await rest('leads?select=id&order=name&offset=2500&limit=100', big.accessToken, { Prefer: 'count=exact' });
    expect(atEnd.status).toBe(206);
    expect(atEnd.headers.get('content-range')).toBe(`*/${total}`);
    const past = await rest('leads?select=id&order=name&offset=2600&limit=100', big.accessToken, { Prefer: 'count=exact' });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`*/${total}`);
    expect(await past.json()).toEqual({ code: 'PGRST103', message: 'Requested range not satisfiable', details: `An offset of 2600 was requested, but there are only ${total} rows.`, hint: null });
    const pastThroughJs = await big.client.from('leads').select('id', { count: 'exact' }).range(total + 1, total + 50);
    expect(pastThroughJs).toMatchObject({ status: 416, error: { code: 'PGRST103' } });
  });
});
