import { describe, expect, it } from 'vitest';
import { intersectRange, parseAccept, parsePrefer, parseRestRequest, type RequestBody, type RestRequest } from './parse-request.js';

function request(method: string, query: string, headers: Record<string, string> = {}, body: RequestBody = { kind: 'none' }): RestRequest {
  return { method, table: 'leads', params: [...new URLSearchParams(query)], headers: new Headers(headers), body };
}

const json = (value: unknown): RequestBody => ({ kind: 'json', value });

describe('parseRestRequest', () => {
  it('reads a select with filters, order and range as supabase-js sends it', () => {
    const result = parseRestRequest(request('GET', 'select=id,name&user_email=eq.a%40b.c&order=name.desc&offset=10&limit=5', { Prefer: 'count=exact' }));
    expect(result).toEqual({
      ok: true,
      value: {
        kind: 'read',
        table: 'leads',
        output: { isSingle: false, isNullsStripped: false, isCounted: true },
        select: [
          { kind: 'column', column: 'id', alias: undefined },
          { kind: 'column', column: 'name', alias: undefined },
        ],
        filters: [{ kind: 'compare', column: 'user_email', isNegated: false, operator: 'eq', value: 'a@b.c' }],
        order: [{ column: 'name', direction: 'desc', nulls: undefined }],
        offset: 10,
        limit: 5,
      },
    });
  });

  it('does not take apikey, columns or on_conflict for filters', () => {
    const result = parseRestRequest(request('GET', 'apikey=k&columns=x&on_conflict=y'));
    expect(result).toMatchObject({ ok: true, value: { kind: 'read', filters: [] } });
  });

  it('reads .single() from Accept and return=representation from Prefer on a change', () => {
    const result = parseRestRequest(
      request('PATCH', 'id=eq.1&select=id', { Accept: 'application/vnd.pgrst.object+json', Prefer: 'return=representation' }, json({ notes: 'x' })),
    );
    expect(result).toMatchObject({
      ok: true,
      value: { kind: 'update', output: { isSingle: true }, patch: { notes: 'x' }, returning: { kind: 'representation', select: [{ column: 'id' }] } },
    });
  });

  it('reads an upsert: the columns parameter, the resolution and on_conflict', () => {
    const result = parseRestRequest(
      request('POST', 'columns=%22user_email%22,%22caller_id%22&on_conflict=user_email', { Prefer: 'resolution=merge-duplicates,return=minimal,missing=default' }, json([{ user_email: 'a' }, { user_email: 'b', caller_id: '+1', ignored: 1 }])),
    );
    expect(result).toMatchObject({
      ok: true,
      value: { kind: 'insert', columns: ['user_email', 'caller_id'], missing: 'default', conflict: { action: 'merge', columns: ['user_email'] }, returning: { kind: 'minimal' } },
    });
  });

  it('IN1 refuses insert rows with different keys, bodies that are not objects, and invalid JSON', () => {
    expect(parseRestRequest(request('POST', '', {}, json([{ a: 1 }, { b: 1 }])))).toMatchObject({ ok: false, error: { code: 'PGRST102', message: 'All object keys must match' } });
    expect(parseRestRequest(request('POST', '', {}, json([1, 2])))).toMatchObject({ ok: false, error: { code: 'PGRST102', status: 400 } });
    expect(parseRestRequest(request('PATCH', 'id=eq.1', {}, json([{ a: 1 }])))).toMatchObject({ ok: false, error: { code: 'PGRST102' } });
    expect(parseRestRequest(request('POST', '', {}, { kind: 'invalid' }))).toMatchObject({ ok: false, error: { code: 'PGRST102', message: 'Empty or invalid json' } });
    expect(parseRestRequest(request('PATCH', 'id=eq.1'))).toMatchObject({ ok: false, error: { code: 'PGRST102' } });
  });

  it('IN1 refuses another schema, an unavailable media type, an unknown method, a bad logic tree and a bad limit', () => {
    expect(parseRestRequest(request('GET', '', { 'Accept-Profile': 'auth' }))).toMatchObject({ ok: false, error: { status: 406, code: 'PGRST106' } });
    expect(parseRestRequest(request('POST', '', { 'Content-Profile': 'auth' }, json({})))).toMatchObject({ ok: false, error: { status: 406, code: 'PGRST106' } });
    expect(parseRestRequest(request('GET', '', { Accept: 'text/csv' }))).toMatchObject({ ok: false, error: { status: 406, code: 'PGRST107' } });
    expect(parseRestRequest(request('PUT', ''))).toMatchObject({ ok: false, error: { status: 405, code: 'PGRST117' } });
    expect(parseRestRequest(request('GET', 'or=(a.eq.1,b.eq.2)'))).toMatchObject({ ok: true });
    expect(parseRestRequest(request('GET', 'or=(a.eq.1,b)'))).toMatchObject({ ok: false, error: { status: 400, code: 'PGRST100' } });
    expect(parseRestRequest(request('GET', 'calls.or=(a.eq.1)'))).toMatchObject({ ok: false, error: { status: 400, code: 'PGRST100', message: 'failed to parse logic path (calls.or)' } });
    for (const query of ['limit=-1', 'limit=1.5', 'offset=x', 'limit=']) {
      expect(parseRestRequest(request('GET', query)), query).toMatchObject({ ok: false, error: { status: 400, code: 'PGRST100' } });
    }
    expect(parseRestRequest(request('DELETE', 'id=eq.1&limit=1'))).toMatchObject({ ok: false, error: { code: 'PGRST100' } });
  });
});

describe('parsePrefer', () => {
  it('reads the preferences supabase-js appends, in any order, and ignores the rest', () => {
    expect(parsePrefer('count=exact, return=representation, tx=rollback')).toEqual({ return: 'representation', count: 'exact', resolution: undefined, missing: 'null' });
    expect(parsePrefer(null)).toEqual({ return: 'minimal', count: undefined, resolution: undefined, missing: 'null' });
    expect(parsePrefer('resolution=ignore-duplicates,count=bogus')).toMatchObject({ resolution: 'ignore-duplicates', count: undefined });
  });
});

describe('parseAccept', () => {
  it('takes the first media type it can produce', () => {
    expect(parseAccept(null)).toEqual({ ok: true, value: { isSingle: false, isNullsStripped: false } });
    expect(parseAccept('application/vnd.pgrst.object+json')).toEqual({ ok: true, value: { isSingle: true, isNullsStripped: false } });
    expect(parseAccept('text/csv, application/json;q=0.9')).toEqual({ ok: true, value: { isSingle: false, isNullsStripped: false } });
    expect(parseAccept('application/vnd.pgrst.array+json;nulls=stripped')).toEqual({ ok: true, value: { isSingle: false, isNullsStripped: true } });
  });
});

describe('intersectRange', () => {
  it('intersects offset/limit with the Range header', () => {
    expect(intersectRange(undefined, undefined, null)).toEqual({ ok: true, value: { offset: 0, limit: undefined } });
    expect(intersectRange(undefined, undefined, '2-4')).toEqual({ ok: true, value: { offset: 2, limit: 3 } });
    expect(intersectRange(undefined, undefined, '3-')).toEqual({ ok: true, value: { offset: 3, limit: undefined } });
    expect(intersectRange(1, 10, '0-4')).toEqual({ ok: true, value: { offset: 1, limit: 4 } });
    expect(intersectRange(5, 2, '0-1')).toEqual({ ok: true, value: { offset: 5, limit: 0 } });
  });

  it('IN1 refuses a Range whose lower bound is above its upper bound with 416', () => {
    expect(intersectRange(undefined, undefined, '5-2')).toMatchObject({ ok: false, error: { status: 416, code: 'PGRST103' } });
  });
});
