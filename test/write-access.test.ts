import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './support/databases.js';

interface DeclaredAccess {
  readonly insert: readonly string[];
  readonly update: readonly string[];
  readonly canDelete: boolean;
}

/** The README's "Who may write what" table: what clients (anon, authenticated) may write. */
function readDeclaredAccess(): Map<string, DeclaredAccess> {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.split('### Who may write what')[1]?.split('\n### ')[0] ?? '';
  const columns = (cell: string) => [...cell.matchAll(/`([a-z_]+)`/g)].map((m) => m[1] ?? '').sort();
  const declared = new Map<string, DeclaredAccess>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const table = /^`([a-z_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!table) continue;
    declared.set(table, { insert: columns(cells[2] ?? ''), update: columns(cells[3] ?? ''), canDelete: cells[4] !== '—' });
  }
  return declared;
}

describe.each(DATABASE_KINDS)('TR1 who may write what, against the grants and policies on %s', (kind) => {
  let testDb: TestDatabase;
  const declared = readDeclaredAccess();
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.dispose();
  });

  it('TR1 every public table is in the README table, and clients hold exactly the grants it lists', async () => {
    const { db } = testDb;
    const tables = await db.sql<{ name: string }>`
      select table_name::text as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'schema_migrations' order by 1`;
    expect(tables.map((t) => t.name).sort()).toEqual([...declared.keys()].sort());

    for (const { name } of tables) {
      const grants = await db.sql<{ privilege: string; column_name: string }>`
        select privilege_type::text as privilege, column_name::text from information_schema.column_privileges
        where table_schema = 'public' and table_name = ${name} and grantee in ('anon', 'authenticated')
          and privilege_type in ('INSERT', 'UPDATE')`;
      const [deletable] = await db.sql<{ n: number }>`
        select count(*)::int as n from information_schema.table_privileges
        where table_schema = 'public' and table_name = ${name} and grantee in ('anon', 'authenticated') and privilege_type = 'DELETE'`;
      const granted = (privilege: string) => [...new Set(grants.filter((g) => g.privilege === privilege).map((g) => g.column_name))].sort();
      expect({ table: name, insert: granted('INSERT'), update: granted('UPDATE'), canDelete: (deletable?.n ?? 0) > 0 }).toEqual({
        table: name,
        ...declared.get(name),
      });
    }
  });

  it('TR1 as a signed-in user, every column the table does not list is refused, and the listed ones pass', async () => {
    const { db } = testDb;
    const columns = await db.sql<{ table_name: string; column_name: string; is_always_generated: boolean }>`
      select table_name::text, column_name::text, coalesce(identity_generation = 'ALWAYS', false) as is_always_generated
      from information_schema.columns
      where table_schema = 'public' and table_name <> 'schema_migrations' order by table_name, ordinal_position`;
    for (const { table_name: table, column_name: column, is_always_generated: isAlwaysGenerated } of columns) {
      const mayUpdate = declared.get(table)?.update.includes(column) ?? false;
      // Privileges are checked before any row is read, so `where false` is enough to ask.
      const attempt = db.transaction(async (tx) => {
        await tx.sql`select set_config('request.jwt.claims', ${JSON.stringify({ role: 'authenticated', email: 'rep@example.com', sub: crypto.randomUUID() })}, true)`;
        await tx.exec('set local role authenticated');
        // An identity column GENERATED ALWAYS takes only DEFAULT, which still asks for the privilege.
        await tx.query(`update public.${table} set ${column} = ${isAlwaysGenerated ? 'default' : column} where false`);
      });
      if (mayUpdate) await expect(attempt, `${table}.${column}`).resolves.toBeUndefined();
      else await expect(attempt, `${table}.${column}`).rejects.toThrow(/permission denied/);
    }
  });
});
