import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Database } from '../src/db/database.js';
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

interface SeedCall {
  readonly outcome: string;
  readonly endedAt: string;
  readonly answered?: boolean;
  readonly talkSeconds?: number;
  readonly disposition?: string;
  readonly isMock?: boolean;
  readonly leadId?: string;
  /** No rep was connected in time: the history row carries abandoned_at. */
  readonly abandoned?: boolean;
}

/** A history row as the server's end-of-call trigger writes it (the workspace filled in from the member). */
async function insertCallLog(db: Database, userEmail: string, call: SeedCall): Promise<void> {
  const endedAt = new Date(call.endedAt);
  const startedAt = new Date(endedAt.getTime() - 60_000 - (call.talkSeconds ?? 0) * 1000);
  const answeredAt = call.answered ? new Date(endedAt.getTime() - (call.talkSeconds ?? 0) * 1000) : null;
  await db.sql`
    insert into call_logs (user_email, to_number, line_number, outcome, status_source, is_mock, provider, started_at, answered_at, ended_at,
                           talk_seconds, answered_by, disposition, lead_id, abandoned_at)
    values (${userEmail}, '+14155550142', 1, ${call.outcome}, 'webhook', ${call.isMock ?? false}, ${call.isMock ? 'mock' : 'twilio'},
            ${startedAt}, ${answeredAt}, ${endedAt}, ${call.talkSeconds ?? 0}, ${call.answered ? 'human' : null}, ${call.disposition ?? null},
            ${call.leadId ?? null}, ${call.abandoned ? answeredAt : null})`;
}

/** A lead list of the member's workspace (archived when `archived`); its id. */
async function insertLeadList(db: Database, userEmail: string, name: string, archived = false): Promise<string> {
  const [list] = await db.sql<{ id: string }>`
    insert into lead_lists (user_email, name, archived_at) values (${userEmail}, ${name}, ${archived ? new Date() : null}) returning id`;
  if (!list) throw new Error('no lead list inserted');
  return list.id;
}

/** A lead owned by `userEmail`, in `listId` (or in no list); its id. */
let leadPhones = 0;
async function insertLead(db: Database, userEmail: string, listId: string | null): Promise<string> {
  // A number is a lead once per workspace.
  const phone = `+1415555${String(++leadPhones).padStart(4, '0')}`;
  const [lead] = await db.sql<{ id: string }>`
    insert into leads (user_email, name, phone, list_id) values (${userEmail}, 'Ada Lovelace', ${phone}, ${listId}) returning id`;
  if (!lead) throw new Error('no lead inserted');
  return lead.id;
}

const RANGE = { from: '2026-03-10T00:00:00Z', to: '2026-03-13T00:00:00Z' };
const NO_DISPOSITIONS = { interested: 0, not_interested: 0, callback: 0, wrong_number: 0, voicemail_left: 0, no_answer: 0, do_not_call: 0, other: 0 };

/** Rep one's calls in the range: 5 dials, 2 connects (90 s), 1 voicemail, 1 demo no-answer, 1 completed unanswered. */
const REP_ONE_CALLS: readonly SeedCall[] = [
  { outcome: 'completed', answered: true, talkSeconds: 60, disposition: 'interested', endedAt: '2026-03-10T10:00:00Z' },
  // 23:30 UTC is already the 11th in Paris (UTC+1) and still the 10th in Los Angeles (UTC-7).
  { outcome: 'completed', answered: true, talkSeconds: 30, disposition: 'callback', endedAt: '2026-03-10T23:30:00Z' },
  { outcome: 'voicemail_detected', endedAt: '2026-03-11T09:00:00Z' },
  { outcome: 'no-answer', endedAt: '2026-03-11T10:00:00Z', isMock: true },
  { outcome: 'completed', endedAt: '2026-03-11T11:00:00Z' },
  // Outside the range: just before `from`, and exactly at `to` (exclusive).
  { outcome: 'completed', answered: true, talkSeconds: 500, endedAt: '2026-03-09T23:59:59Z' },
  { outcome: 'busy', endedAt: '2026-03-13T00:00:00Z' },
];
/** Rep two's: 4 dials, 1 connect (120 s, abandoned), busy, failed, canceled. */
const REP_TWO_CALLS: readonly SeedCall[] = [
  { outcome: 'busy', endedAt: '2026-03-10T12:00:00Z' },
  { outcome: 'failed', disposition: 'wrong_number', endedAt: '2026-03-10T13:00:00Z' },
  // Answered, and no rep was connected within 2 s: abandoned (the rep came on later and talked).
  { outcome: 'completed', answered: true, talkSeconds: 120, disposition: 'interested', endedAt: '2026-03-12T08:00:00Z', abandoned: true },
  { outcome: 'canceled', endedAt: '2026-03-12T09:00:00Z' },
];

const REP_ONE_FIGURES = {
  dials: 5, connects: 2, connectRate: 0.4, talkSeconds: 90, voicemails: 1, noAnswers: 1, busy: 0, failed: 0, canceled: 0, abandoned: 0,
  dispositions: { ...NO_DISPOSITIONS, interested: 1, callback: 1 },
};
const REP_TWO_FIGURES = {
  dials: 4, connects: 1, connectRate: 0.25, talkSeconds: 120, voicemails: 0, noAnswers: 0, busy: 1, failed: 1, canceled: 1, abandoned: 1,
  dispositions: { ...NO_DISPOSITIONS, interested: 1, wrong_number: 1 },
};
const ZERO_FIGURES = { dials: 0, connects: 0, connectRate: 0, talkSeconds: 0, voicemails: 0, noAnswers: 0, busy: 0, failed: 0, canceled: 0, abandoned: 0, dispositions: NO_DISPOSITIONS };

interface ReportBody {
  rows: ({ key: string | null; dials: number } & Record<string, unknown>)[];
  totals: Record<string, unknown>;
}

describe.each(DATABASE_KINDS)('getReport on %s', (kind) => {
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
    for (const call of REP_ONE_CALLS) await insertCallLog(db, repOne.email, call);
    for (const call of REP_TWO_CALLS) await insertCallLog(db, repTwo.email, call);
    await insertCallLog(db, otherAdmin.email, { outcome: 'completed', answered: true, talkSeconds: 45, endedAt: '2026-03-10T10:00:00Z' });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  const report = async (client: SupabaseClient, body: Record<string, unknown>) => {
    const response = await invoke(client, 'getReport', body);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as unknown as ReportBody;
  };

  it('WS1 a manager gets every rep of the workspace, with the figures of the calls that ended in [from, to)', async () => {
    const body = await report(manager.client, { ...RANGE, groupBy: 'rep' });
    const expected = [
      { key: manager.email, ...ZERO_FIGURES },
      { key: repOne.email, ...REP_ONE_FIGURES },
      { key: repTwo.email, ...REP_TWO_FIGURES },
    ].sort((a, b) => (a.key < b.key ? -1 : 1));
    expect(body.rows).toEqual(expected);
    expect(body.totals).toEqual({
      dials: 9, connects: 3, connectRate: 3 / 9, talkSeconds: 210, voicemails: 1, noAnswers: 1, busy: 1, failed: 1, canceled: 1, abandoned: 1,
      dispositions: { ...NO_DISPOSITIONS, interested: 2, callback: 1, wrong_number: 1 },
    });
  });

  it('WS1 a rep gets only their own figures, even when asking for another rep', async () => {
    const own = await report(repOne.client, { ...RANGE, groupBy: 'rep' });
    expect(own.rows).toEqual([{ key: repOne.email, ...REP_ONE_FIGURES }]);
    expect(own.totals).toEqual(REP_ONE_FIGURES);
    const other = await report(repOne.client, { ...RANGE, groupBy: 'rep', userEmail: repTwo.email });
    expect(other).toEqual({ rows: [], totals: ZERO_FIGURES });
  });

  it('WS1 nothing crosses workspaces; the service role sees every workspace', async () => {
    const other = await report(otherAdmin.client, { ...RANGE, groupBy: 'rep' });
    expect(other.rows.map((row) => [row.key, row.dials])).toEqual([[otherAdmin.email, 1]]);
    const fromTeamA = await report(manager.client, { ...RANGE, groupBy: 'rep', userEmail: otherAdmin.email });
    expect(fromTeamA.totals['dials']).toBe(0);
    const key = server.tokens.serviceRoleKey;
    const response = await fetch(`${server.url}/functions/v1/getReport`, {
      method: 'POST',
      headers: { apikey: key, Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...RANGE, groupBy: 'rep' }),
    });
    expect(((await response.json()) as ReportBody).totals['dials']).toBe(10);
  });

  it('a manager filters to one rep', async () => {
    const body = await report(manager.client, { ...RANGE, groupBy: 'rep', userEmail: repTwo.email.toUpperCase() });
    expect(body.rows).toEqual([{ key: repTwo.email, ...REP_TWO_FIGURES }]);
  });

  it('mode: live leaves demo calls out, demo counts only them, all (the default) both', async () => {
    const live = await report(repOne.client, { ...RANGE, groupBy: 'rep', mode: 'live' });
    expect(live.totals).toMatchObject({ dials: 4, connects: 2, connectRate: 0.5, noAnswers: 0 });
    const demo = await report(repOne.client, { ...RANGE, groupBy: 'rep', mode: 'demo' });
    expect(demo.totals).toMatchObject({ dials: 1, connects: 0, noAnswers: 1 });
    const all = await report(repOne.client, { ...RANGE, groupBy: 'rep', mode: 'all' });
    expect(all.totals).toEqual(REP_ONE_FIGURES);
  });

  it('day buckets are local days of the time zone, every day of the range, empty ones with zeros', async () => {
    const days = async (timeZone?: string) => {
      const body = await report(manager.client, { ...RANGE, groupBy: 'day', ...(timeZone ? { timeZone } : {}) });
      return body.rows.map((row) => [row.key, row.dials]);
    };
    expect(await days()).toEqual([['2026-03-10', 4], ['2026-03-11', 3], ['2026-03-12', 2]]);
    // Paris is UTC+1 in March: the range runs from the 10th 01:00 to the 13th 01:00, and 23:30 UTC is the 11th.
    expect(await days('Europe/Paris')).toEqual([['2026-03-10', 3], ['2026-03-11', 4], ['2026-03-12', 2], ['2026-03-13', 0]]);
    // Los Angeles is UTC-7 after 8 March: from the 9th 17:00 to the 12th 17:00.
    expect(await days('America/Los_Angeles')).toEqual([['2026-03-09', 0], ['2026-03-10', 4], ['2026-03-11', 3], ['2026-03-12', 2]]);
    const body = await report(manager.client, { ...RANGE, groupBy: 'day', timeZone: 'Europe/Paris' });
    expect(body.rows[1]).toMatchObject({ key: '2026-03-11', connects: 1, talkSeconds: 30, dispositions: { ...NO_DISPOSITIONS, callback: 1 } });
    expect(body.totals['dials']).toBe(9);
  });

  it('IN1 bad input is invalid_request (400) and nothing is written', async () => {
    const [before] = await server.db.sql<{ n: number }>`select count(*)::int as n from call_logs`;
    const refusals: Record<string, unknown>[] = [
      { ...RANGE, groupBy: 'week' },
      { from: RANGE.to, to: RANGE.from, groupBy: 'rep' },
      { from: RANGE.from, to: RANGE.from, groupBy: 'rep' },
      { from: '2025-01-01T00:00:00Z', to: '2026-01-02T00:00:01Z', groupBy: 'day' },
      { ...RANGE, groupBy: 'day', timeZone: '+05:00' },
      { ...RANGE, groupBy: 'day', timeZone: 'Mars/Olympus_Mons' },
      { ...RANGE, groupBy: 'day', timeZone: "UTC'; drop table call_logs; --" },
      { from: '2026-03-10', to: RANGE.to, groupBy: 'rep' },
      { from: '2026-03-10T00:00:00', to: RANGE.to, groupBy: 'rep' },
      { ...RANGE, groupBy: 'rep', userEmail: 'not an email' },
      { ...RANGE, groupBy: 'rep', mode: 'real' },
      { ...RANGE, groupBy: 'rep', leadListId: 'x' },
      { ...RANGE },
    ];
    for (const body of refusals) {
      const response = await invoke(manager.client, 'getReport', body);
      expect([response.status, response.body['code']], JSON.stringify(body)).toEqual([400, 'invalid_request']);
      expect(response.body['message']).toEqual(expect.any(String));
    }
    const [after] = await server.db.sql<{ n: number }>`select count(*)::int as n from call_logs`;
    expect(after?.n).toBe(before?.n);
  });

  it('366 days is the longest range', async () => {
    const body = await report(manager.client, { from: '2025-03-12T00:00:00Z', to: '2026-03-13T00:00:00Z', groupBy: 'day' });
    expect(body.rows).toHaveLength(366);
    expect(body.totals['dials']).toBe(10); // rep one's call just before the 10th is in this range
  });
});

/** Calls of a team with lead lists, in April (outside the ranges above), on both databases. */
describe.each(DATABASE_KINDS)('getReport per lead list on %s', (kind) => {
  const APRIL = { from: '2026-04-01T00:00:00Z', to: '2026-04-03T00:00:00Z', groupBy: 'list' };
  let server: TestServer;
  let manager: Member;
  let repA: Member;
  let repB: Member;
  let outsider: Member;
  const lists = { alpha: '', beta: '', charlie: '', delta: '', outsiders: '' };

  beforeAll(async () => {
    server = await startTestServer(kind);
    const { db } = server;
    manager = await memberOf(server, 'manager');
    repA = await memberOf(server, 'rep', manager.workspaceId);
    repB = await memberOf(server, 'rep', manager.workspaceId);
    outsider = await memberOf(server, 'admin');
    lists.alpha = await insertLeadList(db, manager.email, 'Alpha');
    lists.beta = await insertLeadList(db, manager.email, 'Beta', true);
    lists.charlie = await insertLeadList(db, manager.email, 'Charlie');
    lists.delta = await insertLeadList(db, manager.email, 'Delta', true); // archived, no calls: not shown
    // Another workspace's list, of the same name as ours.
    lists.outsiders = await insertLeadList(db, outsider.email, 'Alpha');
    const alphaOfA = await insertLead(db, repA.email, lists.alpha);
    const alphaOfB = await insertLead(db, repB.email, lists.alpha);
    const betaOfA = await insertLead(db, repA.email, lists.beta);
    const noListOfB = await insertLead(db, repB.email, null);
    const outsidersLead = await insertLead(db, outsider.email, lists.outsiders);
    const calls: [string, SeedCall][] = [
      [repA.email, { outcome: 'completed', answered: true, talkSeconds: 60, disposition: 'interested', endedAt: '2026-04-01T10:00:00Z', leadId: alphaOfA }],
      [repA.email, { outcome: 'completed', answered: true, talkSeconds: 999, endedAt: '2026-04-03T00:00:00Z', leadId: alphaOfA }], // at `to`: out
      [repB.email, { outcome: 'busy', endedAt: '2026-04-01T11:00:00Z', leadId: alphaOfB }],
      [repA.email, { outcome: 'voicemail_detected', endedAt: '2026-04-02T09:00:00Z', leadId: betaOfA }],
      [repB.email, { outcome: 'no-answer', endedAt: '2026-04-02T10:00:00Z', leadId: noListOfB }],
      [repA.email, { outcome: 'failed', disposition: 'wrong_number', endedAt: '2026-04-02T11:00:00Z' }], // dialled by hand
      [outsider.email, { outcome: 'completed', answered: true, talkSeconds: 45, endedAt: '2026-04-01T12:00:00Z', leadId: outsidersLead }],
    ];
    for (const [email, call] of calls) await insertCallLog(db, email, call);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  const report = async (client: SupabaseClient, body: Record<string, unknown>) => {
    const response = await invoke(client, 'getReport', body);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as unknown as ReportBody;
  };
  const figures = (changes: Partial<typeof ZERO_FIGURES>) => ({ ...ZERO_FIGURES, ...changes });

  it('a manager gets every live list, archived lists with calls, and calls in no list last, with their figures', async () => {
    const body = await report(manager.client, APRIL);
    expect(body.rows).toEqual([
      { key: lists.alpha, label: 'Alpha', isArchived: false,
        ...figures({ dials: 2, connects: 1, connectRate: 0.5, talkSeconds: 60, busy: 1, dispositions: { ...NO_DISPOSITIONS, interested: 1 } }) },
      { key: lists.beta, label: 'Beta', isArchived: true, ...figures({ dials: 1, voicemails: 1 }) },
      { key: lists.charlie, label: 'Charlie', isArchived: false, ...ZERO_FIGURES },
      { key: null, label: 'No list', isArchived: false,
        ...figures({ dials: 2, noAnswers: 1, failed: 1, dispositions: { ...NO_DISPOSITIONS, wrong_number: 1 } }) },
    ]);
    expect(body.totals).toMatchObject({ dials: 5, connects: 1, talkSeconds: 60, voicemails: 1, noAnswers: 1, busy: 1, failed: 1 });
  });

  it('WS1 a rep gets only their own calls per list, even when asking for another rep', async () => {
    const own = await report(repA.client, APRIL);
    expect(own.rows.map((row) => [row.label, row.dials, row['connects']])).toEqual([
      ['Alpha', 1, 1],
      ['Beta', 1, 0],
      ['Charlie', 0, 0],
      ['No list', 1, 0],
    ]);
    expect(own.totals).toMatchObject({ dials: 3, connects: 1, talkSeconds: 60, voicemails: 1, failed: 1, busy: 0, noAnswers: 0 });
    const other = await report(repA.client, { ...APRIL, userEmail: repB.email });
    expect(other.rows.map((row) => [row.label, row.dials])).toEqual([['Alpha', 0], ['Charlie', 0]]);
    expect(other.totals['dials']).toBe(0);
  });

  it('WS1 another workspace\'s lists never appear', async () => {
    const ours = await report(manager.client, APRIL);
    expect(ours.rows.map((row) => row.key)).not.toContain(lists.outsiders);
    const theirs = await report(outsider.client, APRIL);
    expect(theirs.rows.map((row) => [row.key, row.label, row.dials])).toEqual([[lists.outsiders, 'Alpha', 1]]);
  });

  it('a call counts toward its lead\'s list at report time', async () => {
    const [lead] = await server.db.sql<{ id: string }>`
      update leads set list_id = ${lists.charlie} where user_email = ${repB.email} and list_id is null returning id`;
    try {
      const body = await report(manager.client, APRIL);
      expect(body.rows.map((row) => [row.label, row.dials])).toEqual([['Alpha', 2], ['Beta', 1], ['Charlie', 1], ['No list', 1]]);
    } finally {
      await server.db.sql`update leads set list_id = null where id = ${lead?.id ?? null}`;
    }
  });
});
