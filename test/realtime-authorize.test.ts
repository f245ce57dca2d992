import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../src/db/database.js';
import { canViewRow, type Viewer } from '../src/realtime/authorize.js';
import { REALTIME_TABLES } from '../src/realtime/catalog.js';
import { insertLead } from './support/calls.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './support/databases.js';

describe.each(DATABASE_KINDS)('AU1 realtime authorisation agrees with row-level security on %s', (kind) => {
  let testDb: TestDatabase;
  const users = ['ann@example.com', 'ben@example.com'];
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    const { db } = testDb;
    for (const [index, email] of users.entries()) {
      const leadId = await insertLead(db, email);
      await db.sql`insert into dialer_settings (user_email) values (${email})`;
      const [call] = await db.sql<{ id: string }>`
        insert into active_calls (user_email, line_number, to_number, lead_id, call_sid) values (${email}, 1, '+14155550199', ${leadId}, ${`CA-auth-${index}`}) returning id`;
      await db.sql`update active_calls set status = 'busy' where id = ${call?.id}`;
    }
  });
  afterAll(async () => {
    await testDb.dispose();
  });

  it.each(REALTIME_TABLES)('AU1 %s: a viewer is sent exactly the rows REST would show them', async (table) => {
    const { db } = testDb;
    const rows = await db.query<Row>(`select * from ${table}`);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const viewers: Viewer[] = [...users.map((email) => ({ role: 'authenticated', email }) as const), { role: 'anon' }, { role: 'service_role' }];
    for (const viewer of viewers) {
      const visible = await db.transaction(async (tx) => {
        const claims = viewer.role === 'authenticated' ? { role: viewer.role, email: viewer.email } : { role: viewer.role };
        await tx.sql`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
        const [grant] = await tx.query<{ allowed: boolean }>('select has_table_privilege($1, $2, $3) as allowed', [viewer.role, table, 'select']);
        if (!grant?.allowed) return [];
        await tx.exec(`set local role ${viewer.role}`);
        return tx.query<Row>(`select * from ${table}`);
      });
      const key = (row: Row) => JSON.stringify(row);
      expect(rows.filter((row) => canViewRow(viewer, row)).map(key).sort(), `${viewer.role} on ${table}`).toEqual(visible.map(key).sort());
    }
  });
});
