import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decideCallingHours, type RegionDayRule, type RuleDay } from '../src/core/calling-hours.js';
import type { Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { createEmptyDatabase, createTestDatabase, DATABASE_KINDS, type TestDatabase } from './support/databases.js';

interface RuleRow {
  region: string;
  day: RuleDay;
  window_start: string | null;
  window_end: string | null;
  source: string;
}

async function readRules(db: Database, workspaceId?: string): Promise<RuleRow[]> {
  return workspaceId === undefined
    ? db.sql<RuleRow>`
        select region, day, to_char(window_start, 'HH24:MI') as window_start, to_char(window_end, 'HH24:MI') as window_end, source
        from calling_hour_rule_defaults order by region, day`
    : db.sql<RuleRow>`
        select region, day, to_char(window_start, 'HH24:MI') as window_start, to_char(window_end, 'HH24:MI') as window_end, source
        from calling_hour_rules where workspace_id = ${workspaceId} order by region, day`;
}

function toRegionDayRules(rows: readonly RuleRow[]): RegionDayRule[] {
  return rows.map((row) => ({
    region: row.region,
    day: row.day,
    window: row.window_start === null || row.window_end === null ? null : { start: row.window_start, end: row.window_end },
    source: row.source,
  }));
}

const byKey = (rows: readonly RuleRow[]) => new Map(rows.map((row) => [`${row.region}:${row.day}`, row]));

/**
 * CH-DB1 the state calling-hour defaults (0019) are seeded with their sources; every workspace,
 * old or new, gets its own copy; the table says a window per weekday and none on Sundays and
 * federal holidays, and the gate's rule reads it as such.
 */
describe.each(DATABASE_KINDS)('calling-hour rules on %s', (kind) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.dispose();
  });

  it('CH-DB1 the stricter state windows are seeded, each with its source', async () => {
    const rules = byKey(await readRules(testDb.db));
    expect(rules.get('TX:sun')).toMatchObject({ window_start: '12:00', window_end: '21:00' });
    expect(rules.get('TX:mon')).toMatchObject({ window_start: '09:00', window_end: '21:00' });
    expect(rules.get('FL:wed')).toMatchObject({ window_start: '08:00', window_end: '20:00' });
    expect(rules.get('CT:sat')).toMatchObject({ window_start: '09:00', window_end: '20:00' });
    expect(rules.get('AL:holiday')).toMatchObject({ window_start: null, window_end: null });
    expect(rules.get('TX:sun')?.source).toMatch(/Tex\. Bus\. & Com\. Code § 301\.051/);
    expect(rules.get('FL:mon')?.source).toMatch(/Fla\. Stat\. § 501\.616\(6\)\(a\)/);
    for (const rule of rules.values()) {
      expect(rule.source.length).toBeGreaterThan(10);
      // Only ever narrower than the federal 08:00–21:00.
      if (rule.window_start !== null) expect(rule.window_start >= '08:00' && (rule.window_end ?? '') <= '21:00').toBe(true);
    }
  });

  it('CH-DB1 a region can say a different window per weekday and none on Sundays and federal holidays (Rhode Island)', async () => {
    const rules = byKey(await readRules(testDb.db));
    expect(['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => rules.get(`RI:${day}`)?.window_start)).toEqual(['09:00', '09:00', '09:00', '09:00', '09:00']);
    expect(rules.get('RI:fri')?.window_end).toBe('18:00');
    expect(rules.get('RI:sat')).toMatchObject({ window_start: '10:00', window_end: '17:00' });
    expect(rules.get('RI:sun')).toMatchObject({ window_start: null, window_end: null });
    expect(rules.get('RI:holiday')).toMatchObject({ window_start: null, window_end: null });

    const regionRules = toRegionDayRules([...rules.values()]);
    const decide = (now: string) =>
      decideCallingHours({ location: { zones: ['America/New_York'], regions: ['RI'], rules: ['number'] }, windows: [], regionRules, now: new Date(now) });
    // Saturday 2026-12-05 17:30 EST: after Rhode Island's Saturday close.
    expect(decide('2026-12-05T22:30:00Z')).toMatchObject({ allowed: false, rule: 'region:RI:sat', opensAt: '2026-12-07T14:00:00.000Z' });
    // Sunday: closed all day; Monday 09:00 opens.
    expect(decide('2026-12-06T16:00:00Z')).toMatchObject({ allowed: false, rule: 'region:RI:sun', opensAt: '2026-12-07T14:00:00.000Z' });
    // Christmas Day 2026 is a Friday: the holiday row replaces Friday's.
    expect(decide('2026-12-25T15:00:00Z')).toMatchObject({ allowed: false, rule: 'holiday:region:RI' });
    expect(decide('2026-12-24T15:00:00Z')).toMatchObject({ allowed: true });
  });

  it('CH-DB1 a new workspace gets its own copy of the defaults, which its admins may then change alone', async () => {
    const [first] = await testDb.db.sql<{ id: string }>`insert into workspaces (name) values ('Acme') returning id`;
    const [second] = await testDb.db.sql<{ id: string }>`insert into workspaces (name) values ('Globex') returning id`;
    if (first === undefined || second === undefined) throw new Error('no workspace');
    const defaults = await readRules(testDb.db);
    expect(defaults.length).toBeGreaterThan(50);
    expect(await readRules(testDb.db, first.id)).toEqual(defaults);
    await testDb.db.sql`
      update calling_hour_rules set window_start = '10:00', source = 'House rule' where workspace_id = ${first.id} and region = 'TX' and day = 'sun'`;
    expect(byKey(await readRules(testDb.db, first.id)).get('TX:sun')).toMatchObject({ window_start: '10:00', source: 'House rule' });
    expect(await readRules(testDb.db, second.id)).toEqual(defaults);
    expect(byKey(await readRules(testDb.db)).get('TX:sun')?.window_start).toBe('12:00');
  });
});

describe.each(DATABASE_KINDS)('0019 on an existing database on %s', (kind) => {
  let testDb: TestDatabase | undefined;
  afterEach(async () => {
    await testDb?.dispose();
    testDb = undefined;
  });

  it('CH-DB1 workspaces that existed before 0019 get the defaults too', async () => {
    testDb = await createEmptyDatabase(kind);
    await migrate(testDb.db, { upTo: '0018' });
    const [old] = await testDb.db.sql<{ id: string }>`insert into workspaces (name) values ('Before') returning id`;
    if (old === undefined) throw new Error('no workspace');
    expect(await readRules(testDb.db, old.id)).toEqual([]);
    await migrate(testDb.db, { upTo: '0019' });
    const defaults = await readRules(testDb.db);
    expect(defaults.length).toBeGreaterThan(50);
    expect(await readRules(testDb.db, old.id)).toEqual(defaults);
  });
});
