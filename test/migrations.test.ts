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

  it('WS1 0011 moves existing data over: each user is the admin of a workspace of their own, every row gets its owner’s, nothing is lost', async () => {
    testDb = await createEmptyDatabase(kind);
    const { db } = testDb;
    await migrate(db, { upTo: '0010' });
    const owners = ['ada@example.com', 'grace@example.com'];
    for (const [index, email] of owners.entries()) {
      await db.sql`insert into auth.users (email, encrypted_password, raw_user_meta_data) values (${email}, 'scrypt$x', '{"full_name":"x"}'::jsonb)`;
      await db.sql`insert into dialer_settings (user_email, use_mock_dialer, caller_id) values (${email}, ${index === 0}, '+14155550101')`;
      const [lead] = await db.sql<{ id: string }>`
        insert into leads (user_email, name, phone, company, notes) values (${email}, ${`Lead of ${email}`}, '+14155550102', 'Acme', 'Wants a demo') returning id`;
      // One call still live, one that ended (its history row and stats come from the triggers).
      await db.sql`insert into active_calls (user_email, line_number, to_number, call_sid, lead_id) values (${email}, 1, '+14155550102', ${`CA-live-${index}`}, ${lead?.id})`;
      const [ended] = await db.sql<{ id: string }>`
        insert into active_calls (user_email, line_number, to_number, call_sid, lead_id) values (${email}, 2, '+14155550103', ${`CA-done-${index}`}, ${lead?.id}) returning id`;
      await db.sql`update active_calls set status = 'ringing' where id = ${ended?.id}`;
      await db.sql`update active_calls set status = 'in-progress', answered_at = now() where id = ${ended?.id}`;
      await db.sql`update active_calls set status = 'completed', ended_at = now(), duration_seconds = 42 where id = ${ended?.id}`;
      await db.sql`update call_logs set disposition = 'interested', notes = 'Call back Monday' where active_call_id = ${ended?.id}`;
      await db.sql`insert into do_not_call_numbers (user_email, phone_number) values (${email}, '+14155550104')`;
    }
    // A row whose owner has no account (written before accounts existed) keeps a workspace too.
    await db.sql`insert into leads (user_email, name, phone) values ('ghost@example.com', 'Orphan lead', '+14155550105')`;

    const TABLES = ['leads', 'active_calls', 'call_logs', 'user_stats', 'dialer_settings', 'do_not_call_numbers'] as const;
    const snapshot = async () => {
      const rows: Record<string, unknown[]> = {};
      for (const table of TABLES) {
        const found = await db.query<{ row: Record<string, unknown> }>(`select to_jsonb(t) - 'workspace_id' as row from ${table} t order by to_jsonb(t)::text`);
        rows[table] = found.map((r) => r.row);
      }
      return rows;
    };
    const before = await snapshot();
    expect(before['call_logs']).toHaveLength(2);
    expect(before['user_stats']?.length).toBeGreaterThanOrEqual(2);

    // 0011 alone: later migrations may add columns, which is not what this compares.
    expect(await migrate(db, { upTo: '0011' })).toContain('0011_workspaces.sql');
    // Nothing lost: the same rows, field for field (workspace_id aside).
    const after = await snapshot();
    expect(after).toEqual(before);

    const members = await db.sql<{ user_email: string; role: string; is_active: boolean; workspace_id: string }>`
      select user_email, role, is_active, workspace_id from workspace_members order by user_email`;
    expect(members.map(({ user_email, role, is_active }) => ({ user_email, role, is_active }))).toEqual(owners.map((email) => ({ user_email: email, role: 'admin', is_active: true })));
    expect(new Set(members.map((m) => m.workspace_id)).size).toBe(2);
    const [ghost] = await db.sql<{ n: number }>`select count(*)::int as n from workspace_members where user_email = 'ghost@example.com'`;
    expect(ghost?.n).toBe(0);
    const states = await db.sql`select user_email, workspace_id from rep_states order by user_email`;
    expect(states).toEqual(members.map(({ user_email, workspace_id }) => ({ user_email, workspace_id })));
    for (const table of TABLES) {
      const misplaced = await db.query<{ n: number }>(`
        select count(*)::int as n from ${table} t left join workspace_members m on m.user_email = t.user_email
        where t.workspace_id is null or (m.user_email is not null and m.workspace_id <> t.workspace_id)`);
      expect({ table, misplaced: misplaced[0]?.n }).toEqual({ table, misplaced: 0 });
    }
    const [orphan] = await db.sql<{ workspace_id: string | null; has_workspace: boolean }>`
      select l.workspace_id, exists (select 1 from workspaces w where w.id = l.workspace_id) as has_workspace from leads l where user_email = 'ghost@example.com'`;
    expect(orphan?.has_workspace).toBe(true);
  }, 60_000);
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
