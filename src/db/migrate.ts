import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../db/migrations/', import.meta.url));

/** The migration files this build ships, in the order they apply. */
export async function listMigrationNames(dir: string = MIGRATIONS_DIR): Promise<string[]> {
  return (await readdir(dir)).filter((name) => /^\d{4}_[\w-]+\.sql$/.test(name)).sort();
}

/** Any fixed number: the advisory lock that keeps two starting servers from migrating at once. */
const MIGRATION_LOCK_KEY = 7_311_042;

/**
 * Applies the numbered `.sql` files in lexical order, each recorded in `schema_migrations`,
 * all in one transaction under an advisory lock. Applying twice changes nothing.
 * `upTo` (a file name prefix such as "0001") stops after that migration: tests use it to
 * stand up an older schema.
 */
export async function migrate(db: Database, options: { upTo?: string; dir?: string } = {}): Promise<string[]> {
  const dir = options.dir ?? MIGRATIONS_DIR;
  const files = await listMigrationNames(dir);
  const wanted = options.upTo === undefined ? files : files.filter((name) => name.slice(0, 4) <= (options.upTo ?? ''));
  return db.transaction(async (tx) => {
    await tx.sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
    await tx.exec(`create table if not exists schema_migrations (
      name text primary key,
      applied_at timestamptz not null default now()
    )`);
    const applied = new Set((await tx.sql<{ name: string }>`select name from schema_migrations`).map((row) => row.name));
    const newlyApplied: string[] = [];
    for (const name of wanted) {
      if (applied.has(name)) continue;
      await tx.exec(await readFile(`${dir}${name}`, 'utf8'));
      await tx.sql`insert into schema_migrations (name) values (${name})`;
      newlyApplied.push(name);
    }
    return newlyApplied;
  });
}
