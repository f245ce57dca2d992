import { createServer } from 'node:http';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../src/api/jwt.js';
import { ROLES, type Role } from '../src/core/workspace.js';
import type { Row } from '../src/db/database.js';
import { canViewRow, type Viewer } from '../src/realtime/authorize.js';
import { REALTIME_TABLES, TABLE_KEYS, type RealtimeTable } from '../src/realtime/catalog.js';
import { readMembership } from '../src/realtime/membership.js';
import { startRealtimeServer, type RealtimeServer } from '../src/realtime/realtime-server.js';
import { systemClock } from '../src/telephony/provider.js';
import { insertLead } from './support/calls.js';
import { createTestDatabase, REALTIME_DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { addMember } from './support/members.js';
import { TEST_JWT_SECRET } from './support/server.js';

/**
 * WS1: realtime decides who sees a change from its membership cache, with no query; here the
 * cache, as the change feed kept it (every capture), is asked about every row of every realtime
 * table for every viewer, and must give the database's own answer: a select under row-level
 * security as that viewer. Workspaces, members (roles, active or not), rows and later membership
 * changes (promotions, demotions, deactivations, removals) are random, from a pinned seed.
 */

/** The tables a member may own rows of besides their membership and rep state, which every member has. */
const OWNED_TABLES = ['leads', 'active_calls', 'call_logs', 'user_stats', 'dialer_settings', 'dialer_sessions'] as const;
type OwnedTable = (typeof OWNED_TABLES)[number];

interface MemberPlan {
  readonly workspace: number;
  readonly role: Role;
  readonly isActive: boolean;
  readonly tables: readonly OwnedTable[];
}

type Mutation =
  | { readonly kind: 'role'; readonly member: number; readonly role: Role }
  | { readonly kind: 'active'; readonly member: number; readonly isActive: boolean }
  | { readonly kind: 'remove'; readonly member: number };

const memberPlan = (workspaces: number): fc.Arbitrary<MemberPlan> =>
  fc.record({
    workspace: fc.nat({ max: workspaces - 1 }),
    role: fc.constantFrom(...ROLES),
    isActive: fc.boolean(),
    tables: fc.subarray([...OWNED_TABLES]),
  });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('role' as const), member: fc.nat(), role: fc.constantFrom(...ROLES) }),
  fc.record({ kind: fc.constant('active' as const), member: fc.nat(), isActive: fc.boolean() }),
  fc.record({ kind: fc.constant('remove' as const), member: fc.nat() }),
);

const plan = fc
  .integer({ min: 1, max: 3 })
  .chain((workspaces) => fc.record({ members: fc.array(memberPlan(workspaces), { minLength: 1, maxLength: 6 }), mutations: fc.array(mutation, { maxLength: 4 }) }));

let runCounter = 0;

describe.each(REALTIME_DATABASE_KINDS)('WS1 realtime visibility agrees with row-level security on %s', (kind) => {
  let testDb: TestDatabase;
  let realtime: RealtimeServer;
  const http = createServer();

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    const tokens = await createTokenService(TEST_JWT_SECRET);
    realtime = await startRealtimeServer({ server: http, db: testDb.db, tokens, clock: systemClock, logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await realtime.stop();
    await testDb.dispose();
  });

  /** Members, their rows and then their changes, written as the server and the functions would. */
  async function seed(members: readonly MemberPlan[], mutations: readonly Mutation[]): Promise<string[]> {
    const { db } = testDb;
    const run = ++runCounter;
    const workspaceIds: string[] = [];
    const emails: string[] = [];
    for (const [index, member] of members.entries()) {
      const email = `m${index}-${member.role}-run${run}-${kind}@example.com`;
      // The first member of each workspace creates it.
      const created = await addMember(db, email, { role: member.role, isActive: member.isActive, ...(workspaceIds[member.workspace] ? { workspaceId: workspaceIds[member.workspace] } : {}) });
      workspaceIds[member.workspace] ??= created.workspace_id;
      emails.push(email);
      for (const table of member.tables) await insertOwnedRow(table, email);
    }
    for (const change of mutations) {
      const email = emails[change.member % emails.length] ?? '';
      if (change.kind === 'role') await db.sql`update workspace_members set role = ${change.role}, updated_at = now() where user_email = ${email}`;
      else if (change.kind === 'active') await db.sql`update workspace_members set is_active = ${change.isActive}, updated_at = now() where user_email = ${email}`;
      else await db.sql`delete from auth.users where email = ${email}`;
    }
    return emails;
  }

  let leadNumber = 0;
  async function insertOwnedRow(table: OwnedTable, email: string): Promise<void> {
    const { db } = testDb;
    switch (table) {
      case 'leads':
        // A workspace holds one lead per number.
        await insertLead(db, email, 'Lead', `+1415555${String(++leadNumber).padStart(4, '0')}`);
        return;
      case 'active_calls':
        await db.sql`insert into active_calls (user_email, line_number, to_number) values (${email}, 1, '+14155550199')`;
        return;
      case 'call_logs':
        await db.sql`insert into call_logs (user_email, outcome, started_at) values (${email}, 'busy', now())`;
        return;
      case 'user_stats':
        await db.sql`insert into user_stats (user_email) values (${email}) on conflict do nothing`;
        return;
      case 'dialer_settings':
        await db.sql`insert into dialer_settings (user_email) values (${email}) on conflict do nothing`;
        return;
      case 'dialer_sessions': {
        const [list] = await db.sql<{ id: string }>`insert into lead_lists (user_email, name) values (${email}, ${`List ${++leadNumber}`}) returning id`;
        await db.sql`insert into dialer_sessions (user_email, list_id, lines) values (${email}, ${list?.id}, 1)`;
        return;
      }
      default: {
        const unreachable: never = table;
        throw new Error(`no rows for ${String(unreachable)}`);
      }
    }
  }

  /** The rows this viewer reads as themselves, under row-level security. */
  async function visibleTo(viewer: Viewer, table: RealtimeTable): Promise<Row[]> {
    return testDb.db.transaction(async (tx) => {
      const claims = viewer.role === 'authenticated' ? { role: viewer.role, email: viewer.email, sub: crypto.randomUUID() } : { role: viewer.role };
      await tx.sql`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
      const [grant] = await tx.query<{ allowed: boolean }>('select has_table_privilege($1, $2, $3) as allowed', [viewer.role, table, 'select']);
      if (!grant?.allowed) return [];
      await tx.exec(`set local role ${viewer.role}`);
      return tx.query<Row>(`select ${TABLE_KEYS[table]}::text as key from ${table}`);
    });
  }

  it('WS1 for every role × table × row, the room (its cache fed by the change feed) gives the database’s answer (seeded property)', async () => {
    let compared = 0;
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(plan, async ({ members, mutations }) => {
        const emails = await seed(members, mutations);
        // A probe written now comes back after every change above: the cache has them all.
        expect(await realtime.checkCapture(10_000)).toBe(true);
        const stored = await testDb.db.query<{ user_email: string } & Row>('select user_email, workspace_id::text as workspace_id, role, is_active from workspace_members');
        for (const email of emails) expect(realtime.room.memberOf(email), email).toEqual(readMembership(stored.find((row) => row.user_email === email))?.membership);

        const viewers: Viewer[] = [...emails.map((email) => ({ role: 'authenticated', email }) as const), { role: 'authenticated', email: 'nobody@example.com' }, { role: 'anon' }, { role: 'service_role' }];
        for (const table of REALTIME_TABLES) {
          const rows = await testDb.db.query<{ json: string; key: string }>(`select to_jsonb(t)::text as json, ${TABLE_KEYS[table]}::text as key from ${table} t`);
          for (const viewer of viewers) {
            const fromRoom = rows.filter(({ json }) => canViewRow(viewer, JSON.parse(json) as Row, realtime.room.memberOf)).map(({ key }) => key);
            const fromDatabase = (await visibleTo(viewer, table)).map(({ key }) => String(key));
            expect(fromRoom.sort(), `${JSON.stringify(viewer)} on ${table}`).toEqual(fromDatabase.sort());
            compared += rows.length;
            const member = viewer.role === 'authenticated' ? realtime.room.memberOf(viewer.email) : undefined;
            if (fromDatabase.length > 0) seen.add(`${table}:${member ? `${member.role}:${member.isActive}` : viewer.role}`);
          }
        }
      }),
      { seed: 20261130, numRuns: 25, endOnFailure: true },
    );
    expect(compared).toBeGreaterThan(1000);
    // Every role saw rows of every table at least once: the property was not vacuous.
    for (const table of REALTIME_TABLES) for (const role of ROLES) expect(seen, `${role} on ${table}`).toContain(`${table}:${role}:true`);
  }, 120_000);
});
