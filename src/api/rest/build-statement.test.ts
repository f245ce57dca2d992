import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildStatement, toText } from './build-statement.js';
import { parseRestRequest, type RequestBody } from './parse-request.js';
import type { TableInfo } from './table-catalog.js';

const LEADS: TableInfo = {
  name: 'leads',
  isReadOnly: false,
  columns: new Map([
    ['id', 'uuid'],
    ['user_email', 'text'],
    ['name', 'text'],
    ['attempts', 'integer'],
    ['last_called_at', 'timestamp with time zone'],
    ['meta', 'jsonb'],
  ]),
  primaryKey: ['id'],
};

function build(method: string, query: string, headers: Record<string, string> = {}, body: RequestBody = { kind: 'none' }) {
  const parsed = parseRestRequest({ method, table: 'leads', params: [...new URLSearchParams(query)], headers: new Headers(headers), body });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return buildStatement(parsed.value, LEADS);
}

describe('buildStatement', () => {
  it('reads with quoted columns, typed parameters, order, limit and a count under the same filters', () => {
    const result = build('GET', 'select=id,label:name&attempts=gte.2&name=in.(a,b)&lead=not.is.null'.replace('lead', 'last_called_at') + '&order=name.desc.nullslast&limit=5&offset=2', {
      Prefer: 'count=exact',
    });
    expect(result).toEqual({
      ok: true,
      value: {
        text:
          'select (select count(*) from public."leads" where "attempts" >= $1::text::integer and "name" in ($2::text::text, $3::text::text) and not ("last_called_at" is null))::int as total, ' +
          "count(*)::int as page_total, coalesce(json_agg(_t), '[]')::text as body from (" +
          'select "id", "name" as "label" from public."leads" where "attempts" >= $1::text::integer and "name" in ($2::text::text, $3::text::text) and not ("last_called_at" is null) ' +
          'order by "name" desc nulls last limit $4::text::bigint offset $5::text::bigint) _t',
        params: ['2', 'a', 'b', '5', '2'],
      },
    });
  });

  it('turns like stars into % and an empty in list into false', () => {
    const result = build('GET', 'select=id&name=ilike.*ada*&id=in.()');
    expect(result.ok && result.value.text).toContain(`where "name" ilike $1::text and false`);
    expect(result.ok && result.value.params).toEqual(['%ada%']);
  });

  it('writes logic trees as parenthesised and/or with not, every value a parameter', () => {
    const query = new URLSearchParams([
      ['or', '(name.ilike.*a*,and(attempts.gte.2,not.or(name.eq."x,y",last_called_at.is.null)))'],
      ['not.and', '(id.in.(),user_email.neq.b)'],
      ['name', 'not.like.A*'],
    ]).toString();
    const result = build('GET', `select=id&${query}`);
    expect(result.ok && result.value.text).toContain(
      'where ("name" ilike $1::text or ("attempts" >= $2::text::integer and not ("name" = $3::text::text or "last_called_at" is null))) ' +
        'and not (false and "user_email" <> $4::text::text) and not ("name" like $5::text)',
    );
    expect(result.ok && result.value.params).toEqual(['%a%', '2', 'x,y', 'b', 'A%']);
  });

  it('refuses like and ilike on a column that is not text as Postgres does (42883), and unknown columns inside trees (42703)', () => {
    expect(build('GET', 'attempts=like.1*')).toMatchObject({ ok: false, error: { status: 404, code: '42883', message: 'operator does not exist: integer ~~ unknown' } });
    expect(build('GET', 'or=(name.eq.a,id.ilike.*1*)')).toMatchObject({ ok: false, error: { status: 404, code: '42883', message: 'operator does not exist: uuid ~~* unknown' } });
    expect(build('GET', 'or=(name.eq.a,and(nope.eq.1))')).toMatchObject({ ok: false, error: { status: 400, code: '42703', message: 'column leads.nope does not exist' } });
  });

  it('inserts with one parameter per value, JSON as text cast to jsonb, and missing keys as null or default', () => {
    const body: RequestBody = { kind: 'json', value: [{ name: 'a', meta: { tags: ['x'] } }, { name: 'b', attempts: 3 }] };
    const result = build('POST', 'columns=name,meta,attempts&select=id', { Prefer: 'return=representation,missing=default' }, body);
    expect(result.ok && result.value.text).toContain(
      'insert into public."leads" ("name", "meta", "attempts") values ($1::text::text, $2::text::jsonb, default), ($3::text::text, default, $4::text::integer) returning *',
    );
    expect(result.ok && result.value.params).toEqual(['a', '{"tags":["x"]}', 'b', '3']);
    const withNulls = build('POST', 'columns=name,attempts', {}, { kind: 'json', value: [{ name: 'a' }] });
    expect(withNulls.ok && withNulls.value.text).toContain('values ($1::text::text, null) returning 1');
  });

  it('upserts on the primary key or on on_conflict, merging or ignoring', () => {
    const body: RequestBody = { kind: 'json', value: { id: 'x', name: 'a' } };
    const merge = build('POST', '', { Prefer: 'resolution=merge-duplicates' }, body);
    expect(merge.ok && merge.value.text).toContain('on conflict ("id") do update set "id" = excluded."id", "name" = excluded."name"');
    const ignore = build('POST', 'on_conflict=name', { Prefer: 'resolution=ignore-duplicates' }, body);
    expect(ignore.ok && ignore.value.text).toContain('on conflict ("name") do nothing');
  });

  it('updates and deletes only with a filter, as Supabase refuses a whole-table change', () => {
    const update = build('PATCH', 'id=eq.1', {}, { kind: 'json', value: { attempts: 2, meta: null } });
    expect(update.ok && update.value.text).toContain('update public."leads" set "attempts" = $1::text::integer, "meta" = $2::text::jsonb where "id" = $3::text::uuid returning 1');
    expect(update.ok && update.value.params).toEqual(['2', null, '1']);
    expect(build('PATCH', '', {}, { kind: 'json', value: { attempts: 2 } })).toMatchObject({ ok: false, error: { code: '21000', message: 'UPDATE requires a WHERE clause' } });
    expect(build('DELETE', '')).toMatchObject({ ok: false, error: { code: '21000', message: 'DELETE requires a WHERE clause' } });
  });

  it('IN1 refuses unknown columns: 42703 in select, filter, order and on_conflict; PGRST204 in a body', () => {
    for (const query of ['select=nope', 'nope=eq.1', 'order=nope', 'select=name;drop table leads']) {
      expect(build('GET', query), query).toMatchObject({ ok: false, error: { status: 400, code: '42703' } });
    }
    expect(build('POST', 'on_conflict=nope', { Prefer: 'resolution=merge-duplicates' }, { kind: 'json', value: { name: 'a' } })).toMatchObject({ ok: false, error: { code: '42703' } });
    expect(build('POST', '', {}, { kind: 'json', value: { 'name"); drop table leads; --': 'a' } })).toMatchObject({
      ok: false,
      error: { status: 400, code: 'PGRST204', message: `Could not find the 'name"); drop table leads; --' column of 'leads' in the schema cache` },
    });
    expect(build('PATCH', 'id=eq.1', {}, { kind: 'json', value: { nope: 1 } })).toMatchObject({ ok: false, error: { code: 'PGRST204' } });
  });

  it('never puts a value into the SQL text: any values give the same statement (seeded property)', () => {
    const shape = (a: string, b: string, c: string) => build('GET', new URLSearchParams({ name: `eq.${a}`, user_email: `like.${b}`, id: `in.(${JSON.stringify(c)})` }).toString());
    fc.assert(
      // in.("") is PostgREST's empty list (no row), so the list's one value is never empty.
      fc.property(fc.string(), fc.string(), fc.string({ minLength: 1 }), (a, b, c) => {
        const first = shape(a, b, c);
        const second = shape('x', 'y', 'z');
        expect(first.ok && second.ok && first.value.text === second.value.text).toBe(true);
      }),
      { seed: 20241124, numRuns: 300 },
    );
  });

  it('never puts a value of a logic tree into the SQL text (seeded property)', () => {
    const quote = (value: string) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
    const shape = (a: string, b: string, c: string) =>
      build('GET', new URLSearchParams({ or: `(name.eq.${quote(a)},and(user_email.ilike.${quote(b)},not.or(id.in.(${quote(c)}),name.neq.${quote(a)})))` }).toString());
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string({ minLength: 1 }), (a, b, c) => {
        const first = shape(a, b, c);
        const second = shape('x', 'y', 'z');
        expect(first.ok && second.ok && first.value.text === second.value.text, JSON.stringify([a, b, c])).toBe(true);
        expect(first.ok && first.value.params).toEqual([a, b.replaceAll('*', '%'), c, a]);
      }),
      { seed: 20261130, numRuns: 300 },
    );
  });
});

describe('toText', () => {
  it('gives JSON for JSON columns and plain text for the others', () => {
    expect(toText({ a: 1 }, 'jsonb')).toBe('{"a":1}');
    expect(toText('x', 'jsonb')).toBe('"x"');
    expect(toText(true, 'boolean')).toBe('true');
    expect(toText(3, 'integer')).toBe('3');
    expect(toText(null, 'text')).toBeNull();
  });
});
