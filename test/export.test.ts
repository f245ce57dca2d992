import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signExportLink } from '../src/api/exports.js';
import type { Database } from '../src/db/database.js';
import { exportColumns, readExportPages } from '../src/db/export-pages.js';
import { invoke } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { startTestServer, type TestServer } from './support/server.js';

type Role = 'admin' | 'manager' | 'rep';

interface Member {
  readonly client: SupabaseClient;
  readonly email: string;
  readonly userId: string;
  readonly workspaceId: string;
  readonly accessToken: string;
}

/**
 * A member written by SQL (test/support/members.ts) with a client that sends the access token
 * sign-in would issue: what the functions see is the same, without hashing a password per member.
 */
async function memberOf(server: TestServer, role: Role, workspaceId?: string): Promise<Member> {
  const member = await server.addMember(undefined, { role, ...(workspaceId ? { workspaceId } : {}) });
  const { token } = await server.tokens.signAccessToken({ id: member.user_id, email: member.user_email, sessionId: crypto.randomUUID() });
  const client = createClient(server.url, server.tokens.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    accessToken: async () => token,
    realtime: { transport: WebSocket as never },
  });
  return { client, email: member.user_email, userId: member.user_id, workspaceId: member.workspace_id, accessToken: token };
}

/**
 * `count` history rows for a rep, one a minute from `start`, three rows sharing each end time so
 * pages break inside runs of equal times (the keyset's id tie-break is what keeps them whole).
 */
async function insertHistory(db: Database, userEmail: string, count: number, start: string): Promise<void> {
  await db.sql`
    insert into call_logs (user_email, to_number, line_number, outcome, status_source, provider, started_at, answered_at, ended_at, talk_seconds, notes)
    select ${userEmail}, '+1415555' || lpad(i::text, 4, '0'), 1 + i % 3, (array['completed', 'busy', 'no-answer', 'voicemail_detected'])[1 + i % 4],
      'webhook', 'twilio', ${start}::timestamptz + (i / 3) * interval '1 minute' - interval '2 minutes',
      case when i % 4 = 0 then ${start}::timestamptz + (i / 3) * interval '1 minute' - interval '1 minute' end,
      ${start}::timestamptz + (i / 3) * interval '1 minute', case when i % 4 = 0 then 60 else 0 end,
      case when i % 50 = 0 then 'said "call back", later, maybe' end
    from generate_series(1, ${count}::int) as i`;
}

interface Download {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

async function download(server: TestServer, url: string): Promise<Download> {
  const response = await fetch(new URL(url, server.url));
  // Decoded keeping the byte order mark (fetch's text() drops it) to see that it is sent.
  return { status: response.status, headers: response.headers, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer()) };
}

/** Asks createExport for a link as `client`, then follows it. */
async function exportAs(server: TestServer, client: SupabaseClient, body: Record<string, unknown>): Promise<Download> {
  const created = await invoke(client, 'createExport', body);
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return download(server, String(created.body['url']));
}

function readCsv(text: string): Record<string, string>[] {
  return parse(text, { columns: true, bom: true }) as Record<string, string>[];
}

const RANGE = { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };

describe.each(DATABASE_KINDS)('exports on %s', (kind) => {
  let server: TestServer;
  let manager: Member;
  let repOne: Member;
  let repTwo: Member;
  let otherAdmin: Member;

  beforeAll(async () => {
    server = await startTestServer(kind);
    const { db } = server;
    manager = await memberOf(server, 'manager');
    repOne = await memberOf(server, 'rep', manager.workspaceId);
    repTwo = await memberOf(server, 'rep', manager.workspaceId);
    otherAdmin = await memberOf(server, 'admin');
    await insertHistory(db, repOne.email, 2_500, '2026-03-02T00:00:00Z');
    await insertHistory(db, repTwo.email, 30, '2026-03-05T12:00:00Z');
    await insertHistory(db, otherAdmin.email, 20, '2026-03-02T00:00:00Z');
    // Outside the range: the day before it, and exactly at its end (exclusive).
    await insertHistory(db, repOne.email, 2, '2026-02-28T00:00:00Z');
    await insertHistory(db, repOne.email, 1, '2026-04-01T00:00:00Z');
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it('LS1 a manager exports every history row of the range, exactly the database rows, as an attachment with a header row', async () => {
    const got = await exportAs(server, manager.client, { kind: 'history', ...RANGE });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(got.headers.get('content-disposition')).toMatch(/^attachment; filename="history-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(got.text.startsWith('\ufeffid,ended_at,')).toBe(true);
    const rows = readCsv(got.text);
    expect(Object.keys(rows[0] ?? {})).toEqual([...exportColumns('history')]);
    const expected = await server.db.sql<{ id: string; ended_at: Date; user_email: string; to_number: string; talk_seconds: number; notes: string | null }>`
      select id, ended_at, user_email, to_number, talk_seconds, notes from call_logs
      where user_email in (${repOne.email}, ${repTwo.email}) and ended_at >= ${RANGE.from}::timestamptz and ended_at < ${RANGE.to}::timestamptz
      order by ended_at, id`;
    expect(expected).toHaveLength(2_530);
    expect(rows).toHaveLength(2_530);
    expect(rows.map((row) => row['id'])).toEqual(expected.map((row) => row.id));
    expect(rows.map((row) => [row['ended_at'], row['user_email'], row['to_number'], row['talk_seconds'], row['notes']])).toEqual(
      expected.map((row) => [row.ended_at.toISOString(), row.user_email, `'${row.to_number}`, String(row.talk_seconds), row.notes ?? '']),
    );
  });

  it('WS1 a rep exports only their own rows; another workspace never appears', async () => {
    const own = readCsv((await exportAs(server, repTwo.client, { kind: 'history' })).text);
    expect(own).toHaveLength(30);
    expect(new Set(own.map((row) => row['user_email']))).toEqual(new Set([repTwo.email]));
    // Asking for another rep's rows gives none of them.
    expect(readCsv((await exportAs(server, repTwo.client, { kind: 'history', userEmail: repOne.email })).text)).toEqual([]);
    const other = readCsv((await exportAs(server, otherAdmin.client, { kind: 'history' })).text);
    expect(other).toHaveLength(20);
    expect(new Set(other.map((row) => row['user_email']))).toEqual(new Set([otherAdmin.email]));
    const team = readCsv((await exportAs(server, manager.client, { kind: 'history' })).text);
    expect(team).toHaveLength(2_533);
    expect(team.some((row) => row['user_email'] === otherAdmin.email)).toBe(false);
  });

  it('a manager filters an export to one rep, and a row without an end time is still exported when no range is asked', async () => {
    await server.db.sql`insert into call_logs (user_email, outcome, provider) values (${repTwo.email}, 'failed', 'twilio')`;
    const rows = readCsv((await exportAs(server, manager.client, { kind: 'history', userEmail: repTwo.email })).text);
    expect(rows).toHaveLength(31);
    expect(rows[0]?.['ended_at']).toBe('');
    expect(readCsv((await exportAs(server, manager.client, { kind: 'history', userEmail: repTwo.email, ...RANGE })).text)).toHaveLength(30);
  });

  it('pages of 1,000 hold every row once, in order, across runs of equal end times', async () => {
    const ids: string[] = [];
    let pages = 0;
    for await (const page of readExportPages(server.db, { kind: 'service' }, 'history', { userEmail: repOne.email, from: new Date(RANGE.from), to: new Date(RANGE.to) }, 1_000)) {
      pages += 1;
      ids.push(...page.map((row) => String(row['id'])));
    }
    expect([pages, ids.length, new Set(ids).size]).toEqual([3, 2_500, 2_500]);
    const ordered = await server.db.sql<{ id: string }>`
      select id from call_logs where user_email = ${repOne.email} and ended_at >= ${RANGE.from}::timestamptz and ended_at < ${RANGE.to}::timestamptz order by ended_at, id`;
    expect(ids).toEqual(ordered.map((row) => row.id));
  });

  it('pages hold every row once across a run of equal times with microseconds (one insert of many leads, as an import batch writes)', async () => {
    const owner = await memberOf(server, 'admin');
    // More rows at one instant than a page holds, the instant not on a millisecond, and a row before it.
    await server.db.sql`insert into leads (user_email, name, phone, created_at) values (${owner.email}, 'First', '+14155550900', '2026-05-01T00:00:00.000001Z')`;
    await server.db.sql`
      insert into leads (user_email, name, phone, created_at)
      select ${owner.email}, 'Batch ' || i, '+1415556' || lpad(i::text, 4, '0'), '2026-05-01T00:00:00.123456Z'
      from generate_series(1, 25) as i`;
    const ids: string[] = [];
    let pages = 0;
    for await (const page of readExportPages(server.db, { kind: 'user', userId: owner.userId, email: owner.email }, 'leads', {}, 10)) {
      pages += 1;
      ids.push(...page.map((row) => String(row['id'])));
      if (pages > 10) break; // a cursor that moves back would read forever
    }
    const ordered = await server.db.sql<{ id: string }>`select id from leads where user_email = ${owner.email} order by created_at, id`;
    expect([pages, ids.length, new Set(ids).size]).toEqual([3, 26, 26]);
    expect(ids).toEqual(ordered.map((row) => row.id));
  });

  it('leads export: the leads the requester sees, cells that could run as formulas prefixed with a quote', async () => {
    await server.db.sql`
      insert into leads (user_email, name, phone, company, notes) values
        (${repOne.email}, '=HYPERLINK("http://evil.example","click")', '+14155550100', '@SUM(A1:A2)', '-2+3'),
        (${repTwo.email}, 'Grace Hopper', '+14155550101', 'Navy, "Cobol" dept', null),
        (${otherAdmin.email}, 'Elsewhere', '+14155550102', null, null)`;
    const rows = readCsv((await exportAs(server, manager.client, { kind: 'leads' })).text);
    expect(Object.keys(rows[0] ?? {})).toEqual([...exportColumns('leads')]);
    const byPhone = [...rows].sort((a, b) => String(a['phone']).localeCompare(String(b['phone'])));
    expect(byPhone.map((row) => [row['name'], row['phone'], row['company'], row['notes']])).toEqual([
      [`'=HYPERLINK("http://evil.example","click")`, `'+14155550100`, `'@SUM(A1:A2)`, `'-2+3`],
      ['Grace Hopper', `'+14155550101`, 'Navy, "Cobol" dept', ''],
    ]);
    expect(readCsv((await exportAs(server, repTwo.client, { kind: 'leads' })).text).map((row) => row['name'])).toEqual(['Grace Hopper']);
  });

  it('an empty export is the header row alone', async () => {
    const got = await exportAs(server, repOne.client, { kind: 'history', from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' });
    expect(got.text).toBe(`\ufeff${exportColumns('history').join(',')}\n`);
  });

  it('an expired, forged or misused link is refused with 401 and a JSON error; a deactivated member is refused', async () => {
    const viewer = { kind: 'user' as const, email: repOne.email, userId: repOne.userId };
    const expired = await signExportLink(server.tokens, viewer, { kind: 'history' }, Math.floor(Date.now() / 1000) - 61);
    const refused = async (url: string, status = 401) => {
      const got = await download(server, url);
      expect(got.status, got.text).toBe(status);
      expect(got.headers.get('content-type')).toMatch(/^application\/json/);
      return JSON.parse(got.text) as { code: string; message: string };
    };
    expect(await refused(expired.url)).toEqual({ code: 'unauthorized', message: expect.stringMatching(/expired/) });
    const fresh = await signExportLink(server.tokens, viewer, { kind: 'history' });
    expect((await download(server, fresh.url)).status).toBe(200);
    // A history link does not open leads; an access token is not a link; no token, no file.
    expect((await refused(fresh.url.replace('history.csv', 'leads.csv'))).message).toMatch(/history\.csv/);
    await refused(`/exports/history.csv?token=${repOne.accessToken}`);
    await refused(`/exports/history.csv?token=${fresh.url.split('token=')[1]?.slice(0, -4) ?? ''}AAAA`);
    await refused('/exports/history.csv');
    expect((await refused('/exports/users.csv', 404)).code).toBe('not_found');

    const link = await invoke(repTwo.client, 'createExport', { kind: 'history' });
    await server.db.sql`update workspace_members set is_active = false, deactivated_at = now() where user_id = ${repTwo.userId}`;
    try {
      expect((await refused(String(link.body['url']), 403)).code).toBe('forbidden');
    } finally {
      await server.db.sql`update workspace_members set is_active = true, deactivated_at = null where user_id = ${repTwo.userId}`;
    }
  });

  it('WS1 the rows are the requester\'s visibility when the download starts: a manager made a rep gets only their own', async () => {
    const link = await invoke(manager.client, 'createExport', { kind: 'history' });
    await server.db.sql`update workspace_members set role = 'rep' where user_id = ${manager.userId}`;
    try {
      expect(readCsv((await download(server, String(link.body['url']))).text)).toEqual([]);
    } finally {
      await server.db.sql`update workspace_members set role = 'manager' where user_id = ${manager.userId}`;
    }
  });

  it('a client that goes away mid-download leaves nothing held: the next export is whole', async () => {
    const link = await invoke(manager.client, 'createExport', { kind: 'history' });
    const response = await fetch(new URL(String(link.body['url']), server.url));
    const reader = response.body?.getReader();
    expect((await reader?.read())?.done).toBe(false);
    await reader?.cancel();
    expect(readCsv((await exportAs(server, repOne.client, { kind: 'history', ...RANGE })).text)).toHaveLength(2_500);
  });

  it('IN1 createExport refuses bad input with invalid_request', async () => {
    for (const body of [{ kind: 'users' }, {}, { kind: 'history', from: RANGE.to, to: RANGE.from }, { kind: 'history', from: 'yesterday' }, { kind: 'history', userEmail: 'x' }, { kind: 'history', limit: 10 }]) {
      const response = await invoke(manager.client, 'createExport', body);
      expect([response.status, response.body['code']], JSON.stringify(body)).toEqual([400, 'invalid_request']);
    }
    const created = await invoke(manager.client, 'createExport', { kind: 'leads' });
    expect(created.body).toEqual({ url: expect.stringMatching(/^\/exports\/leads\.csv\?token=[\w.-]+$/), expiresAt: expect.any(String) });
    const seconds = (Date.parse(String(created.body['expiresAt'])) - Date.now()) / 1000;
    expect(seconds).toBeGreaterThan(50);
    expect(seconds).toBeLessThanOrEqual(60);
  });
});
