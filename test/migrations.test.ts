import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.js';
import postgres from 'postgres';
import { openPostgres } from '../src/db/postgres.js';
import { createEmptyDatabase, DATABASE_KINDS, TEST_DATABASE_URL, type TestDatabase } from './support/databases.js';

describe.each(DATABASE_KINDS)('migrations on %s', (kind) => {
  let testDb: TestDatabase | undefined;
  afterEach(async () => {
    await testDb?.dispose();
    testDb = undefined;
  });

  it('apply in order, are recorded, and applying them twice changes nothing', async () => {
    testDb = await createEmptyDatabase(kind);
    const { db } = testDb;
    const first = await migrate(db);
    expect(first.length).toBeGreaterThanOrEqual(4);
    expect(first).toEqual([...first].sort());
    const schema = async () =>
      db.sql`select table_schema, table_name, column_name, data_type from information_schema.columns
        where table_schema in ('public', 'auth') order by 1, 2, 3`;
    const before = await schema();
    expect(await migrate(db)).toEqual([]);
    expect(await schema()).toEqual(before);
    const recorded = await db.sql<{ name: string }>`select name from schema_migrations order by name`;
    expect(recorded.map((r) => r.name)).toEqual(first);
  });

  it('move every dialer_call_history row into call_logs field by field and drop the table', async () => {
    testDb = await createEmptyDatabase(kind);
    const { db } = testDb;
    await migrate(db, { upTo: '0003' });
    const [lead] = await db.sql<{ id: string }>`
      insert into leads (user_email, name, phone) values ('seed@example.com', 'Grace Hopper', '+14155550170') returning id`;
    await db.sql`
      insert into dialer_call_history (user_email, lead_id, lead_name, phone_number, call_sid, status, duration, is_mock, recording_url, notes, started_at, ended_at, created_at)
      values
        ('Seed@Example.com', ${lead?.id}, 'Grace Hopper', '+14155550170', 'CAhist1', 'ended', 95, false, 'https://rec.example/1', 'Wants a demo',
          '2025-03-01T10:00:00Z', '2025-03-01T10:02:00Z', '2025-03-01T10:02:01Z'),
        ('seed@example.com', null, null, '+14155550171', 'CAhist2', 'no_answer', 0, true, null, null,
          '2025-03-02T09:00:00Z', '2025-03-02T09:00:30Z', '2025-03-02T09:00:31Z'),
        ('seed@example.com', ${crypto.randomUUID()}, 'Deleted lead', '+14155550172', null, 'mystery', null, null, null, null,
          null, null, '2025-03-03T08:00:00Z')`;
    expect((await migrate(db))[0]).toBe('0004_retire_dialer_call_history.sql');

    const logs = await db.sql<Record<string, unknown>>`
      select call_sid, user_email, lead_id, lead_name, to_number, outcome, is_mock, provider, talk_seconds, recording_url,
             notes, last_error, started_at, answered_at, ended_at
      from call_logs order by created_at`;
    expect(logs).toEqual([
      {
        call_sid: 'CAhist1', user_email: 'seed@example.com', lead_id: lead?.id, lead_name: 'Grace Hopper', to_number: '+14155550170',
        outcome: 'completed', is_mock: false, provider: 'twilio', talk_seconds: 95, recording_url: 'https://rec.example/1',
        notes: 'Wants a demo', last_error: null, started_at: new Date('2025-03-01T10:00:00Z'),
        answered_at: new Date('2025-03-01T10:00:25Z'), ended_at: new Date('2025-03-01T10:02:00Z'),
      },
      {
        call_sid: 'CAhist2', user_email: 'seed@example.com', lead_id: null, lead_name: null, to_number: '+14155550171',
        outcome: 'no-answer', is_mock: true, provider: 'mock', talk_seconds: 0, recording_url: null, notes: null, last_error: null,
        started_at: new Date('2025-03-02T09:00:00Z'), answered_at: null, ended_at: new Date('2025-03-02T09:00:30Z'),
      },
      {
        call_sid: null, user_email: 'seed@example.com', lead_id: null, lead_name: 'Deleted lead', to_number: '+14155550172',
        outcome: 'failed', is_mock: false, provider: 'twilio', talk_seconds: 0, recording_url: null, notes: null,
        last_error: 'Migrated from dialer_call_history with unknown status "mystery"',
        started_at: new Date('2025-03-03T08:00:00Z'), answered_at: null, ended_at: new Date('2025-03-03T08:00:00Z'),
      },
    ]);
    const [table] = await db.sql<{ name: string | null }>`select to_regclass('public.dialer_call_history')::text as name`;
    expect(table?.name).toBeNull();
  });
});

describe('migrations as a server role that may not create roles (README "Deploying: a guide")', () => {
  it.runIf(DATABASE_KINDS.includes('postgres'))('apply once an administrator made the request roles and granted them', async () => {
    const role = `dialer_owner_${crypto.randomUUID().slice(0, 8)}`;
    const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create role ${role} login`);
    await admin.unsafe(`create database ${role} owner ${role}`);
    await admin.unsafe(`grant anon, authenticated, service_role to ${role}`);
    const url = new URL(TEST_DATABASE_URL);
    url.username = role;
    url.pathname = `/${role}`;
    const db = openPostgres(url.toString());
    try {
      expect((await migrate(db)).length).toBeGreaterThanOrEqual(9);
      const [canCreateRoles] = await db.sql<{ rolcreaterole: boolean }>`select rolcreaterole from pg_roles where rolname = current_user`;
      expect(canCreateRoles?.rolcreaterole).toBe(false);
    } finally {
      await db.close();
      await admin.unsafe(`drop database if exists ${role} with (force)`);
      await admin.unsafe(`drop role if exists ${role}`);
      await admin.end();
    }
  });
});
