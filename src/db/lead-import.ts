import type { CsvDialect } from '../core/read-csv.js';
import type { DuplicateAction, ImportField, ImportMapping, ImportedLead } from '../core/lead-import.js';
import type { Role } from '../core/workspace.js';
import type { Database, Queryable } from './database.js';

export const LEAD_IMPORT_STATUSES = ['uploaded', 'queued', 'running', 'done', 'failed'] as const;
export type LeadImportStatus = (typeof LEAD_IMPORT_STATUSES)[number];

export interface LeadImportRow {
  id: string;
  workspace_id: string;
  user_email: string;
  file_name: string | null;
  status: LeadImportStatus;
  delimiter: string;
  has_bom: boolean;
  sep_line: boolean;
  encoding: string;
  headers: string[];
  mapping: ImportMapping | null;
  default_country: string | null;
  duplicates: DuplicateAction | null;
  list_id: string | null;
  total_rows: number;
  processed_rows: number;
  inserted: number;
  updated: number;
  skipped_duplicates: number;
  refused: number;
  failure: string | null;
  runner: string | null;
  heartbeat_at: Date | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  updated_at: Date;
}

export interface ImportErrorRow {
  row_number: number;
  field: string | null;
  reason: string;
}

/** Who reads an import: its importer, or an admin or manager of its workspace. */
export interface ImportViewer {
  readonly email: string;
  readonly workspaceId: string;
  readonly role: Role;
}

/** An upload never started is kept this long; the next upload deletes older ones' files. */
const UNSTARTED_UPLOAD_HOURS = 24;

export async function insertUpload(
  db: Database,
  upload: { userEmail: string; fileName: string | undefined; dialect: CsvDialect; headers: readonly string[]; totalRows: number; content: string },
): Promise<LeadImportRow> {
  return db.transaction(async (tx) => {
    await tx.sql`delete from lead_import_files f using lead_imports i
      where i.id = f.import_id and i.status = 'uploaded' and i.created_at < now() - make_interval(hours => ${UNSTARTED_UPLOAD_HOURS}::int)`;
    const { dialect } = upload;
    const [row] = await tx.sql<LeadImportRow>`
      insert into lead_imports (user_email, file_name, delimiter, has_bom, sep_line, encoding, headers, total_rows)
      values (${upload.userEmail}, ${upload.fileName ?? null}, ${dialect.delimiter}, ${dialect.hasBom}, ${dialect.sepLine}, ${dialect.encoding},
        ${JSON.stringify(upload.headers)}::text::jsonb, ${upload.totalRows})
      returning *`;
    if (!row) throw new Error('lead import insert returned nothing');
    await tx.sql`insert into lead_import_files (import_id, content) values (${row.id}, ${upload.content})`;
    return row;
  });
}

/** The import if the viewer may read it: theirs, or any of their workspace for an admin or manager. */
export async function findImport(db: Queryable, importId: string, viewer: ImportViewer): Promise<LeadImportRow | undefined> {
  const seesWorkspace = viewer.role === 'admin' || viewer.role === 'manager';
  const [row] = await db.sql<LeadImportRow>`
    select * from lead_imports where id = ${importId}::uuid and workspace_id = ${viewer.workspaceId}::uuid
      and (user_email = ${viewer.email} or ${seesWorkspace}::boolean)`;
  return row;
}

export async function readImport(db: Queryable, importId: string): Promise<LeadImportRow | undefined> {
  const [row] = await db.sql<LeadImportRow>`select * from lead_imports where id = ${importId}::uuid`;
  return row;
}

export async function readImportFile(db: Queryable, importId: string): Promise<string | undefined> {
  const [row] = await db.sql<{ content: string }>`select content from lead_import_files where import_id = ${importId}::uuid`;
  return row?.content;
}

export async function readImportErrors(db: Queryable, importId: string, limit: number): Promise<{ errors: ImportErrorRow[]; count: number }> {
  const errors = await db.sql<ImportErrorRow>`
    select row_number, field, reason from lead_import_errors where import_id = ${importId}::uuid order by row_number limit ${limit}::int`;
  const [counted] = await db.sql<{ n: number }>`select count(*)::int as n from lead_import_errors where import_id = ${importId}::uuid`;
  return { errors, count: counted?.n ?? 0 };
}

/** Whether the list is a live (not archived) list of the workspace. */
export async function isLiveListOf(db: Queryable, listId: string, workspaceId: string): Promise<boolean> {
  const [row] = await db.sql<{ id: string }>`
    select id from lead_lists where id = ${listId}::uuid and workspace_id = ${workspaceId}::uuid and archived_at is null`;
  return row !== undefined;
}

export async function readWorkspaceCountry(db: Queryable, workspaceId: string): Promise<string> {
  const [row] = await db.sql<{ default_country: string }>`select default_country from workspaces where id = ${workspaceId}::uuid`;
  return row?.default_country ?? 'US';
}

/** Moves an uploaded import to `queued` with its choices, claimed by `runner`; undefined if it had already left `uploaded`. */
export async function queueImport(
  db: Queryable,
  importId: string,
  choice: { mapping: ImportMapping; defaultCountry: string; duplicates: DuplicateAction; listId: string | null; runner: string },
): Promise<LeadImportRow | undefined> {
  const [row] = await db.sql<LeadImportRow>`
    update lead_imports set status = 'queued', mapping = ${JSON.stringify(choice.mapping)}::text::jsonb, default_country = ${choice.defaultCountry},
      duplicates = ${choice.duplicates}, list_id = ${choice.listId}::uuid, runner = ${choice.runner}::uuid, heartbeat_at = now(),
      started_at = now(), updated_at = now()
    where id = ${importId}::uuid and status = 'uploaded'
    returning *`;
  return row;
}

/**
 * Takes over an import whose runner stopped heartbeating (its process died): the one process
 * whose update matches gets it, and resumes it after the last batch that committed.
 */
export async function claimStaleImport(db: Queryable, importId: string, runner: string, staleSeconds: number): Promise<LeadImportRow | undefined> {
  const [row] = await db.sql<LeadImportRow>`
    update lead_imports set runner = ${runner}::uuid, heartbeat_at = now(), updated_at = now()
    where id = ${importId}::uuid and status in ('queued', 'running')
      and (heartbeat_at is null or heartbeat_at < now() - make_interval(secs => ${staleSeconds}::int))
    returning *`;
  return row;
}

/** Imports whose runner stopped heartbeating, oldest first. */
export async function findStaleImports(db: Queryable, staleSeconds: number): Promise<string[]> {
  const rows = await db.sql<{ id: string }>`
    select id from lead_imports where status in ('queued', 'running')
      and (heartbeat_at is null or heartbeat_at < now() - make_interval(secs => ${staleSeconds}::int))
    order by created_at`;
  return rows.map((row) => row.id);
}

export interface BatchRow {
  readonly rowNumber: number;
  readonly reading: { readonly ok: true; readonly lead: ImportedLead } | { readonly ok: false; readonly refusal: { readonly field: ImportField; readonly reason: string } };
}

export interface BatchCounts {
  inserted: number;
  updated: number;
  skippedDuplicates: number;
  refused: number;
}

interface ExistingLead {
  id: string;
  phone: string;
  user_email: string;
  name: string;
  extension: string | null;
  company: string | null;
  email: string | null;
  notes: string | null;
  timeZone: string | null;
  region: string | null;
  list_id: string | null;
}

type Pending = { kind: 'new'; lead: { -readonly [K in keyof ImportedLead]: ImportedLead[K] } } | { kind: 'existing'; leads: ExistingLead[] };

const CONTACT_FIELDS = ['name', 'extension', 'company', 'email', 'notes', 'timeZone', 'region'] as const;

/**
 * One batch of an import in one transaction: its leads inserted (or, duplicates, skipped or
 * updated), its refused rows recorded, and the import's counters and heartbeat moved on, all
 * together, so a batch is either wholly done or not at all and a resumed import starts after the
 * last one that committed. Returns undefined, writing nothing, if this runner no longer holds the
 * import (another process took it over) or the batch does not start where the import stands.
 */
export async function applyBatch(db: Database, job: { importId: string; runner: string; fromRow: number; rows: readonly BatchRow[] }): Promise<BatchCounts | undefined> {
  return db.transaction(async (tx) => {
    const [current] = await tx.sql<LeadImportRow>`select * from lead_imports where id = ${job.importId}::uuid for update`;
    if (!current || current.runner !== job.runner || current.processed_rows !== job.fromRow || (current.status !== 'queued' && current.status !== 'running')) return undefined;
    // Imports into one workspace take turns batch by batch, so two never both add the same new number.
    await tx.sql`select pg_advisory_xact_lock(hashtext('lead_import'), hashtext(${current.workspace_id}))`;
    const [importer] = await tx.sql<{ role: Role }>`select role from workspace_members where user_email = ${current.user_email}`;
    const mayEditOthers = importer?.role === 'admin' || importer?.role === 'manager';

    const phones = [...new Set(job.rows.flatMap((row) => (row.reading.ok ? [row.reading.lead.phone] : [])))];
    const existing = await tx.sql<ExistingLead>`
      select id, phone, user_email, name, extension, company, email, notes, time_zone as "timeZone", region, list_id from leads
      where workspace_id = ${current.workspace_id}::uuid and phone = any(array(select jsonb_array_elements_text(${JSON.stringify(phones)}::text::jsonb)))
      order by created_at`;
    const byPhone = new Map<string, Pending>();
    for (const lead of existing) {
      const pending = byPhone.get(lead.phone);
      if (pending?.kind === 'existing') pending.leads.push(lead);
      else byPhone.set(lead.phone, { kind: 'existing', leads: [lead] });
    }

    const counts: BatchCounts = { inserted: 0, updated: 0, skippedDuplicates: 0, refused: 0 };
    const inserts: Pending[] = [];
    const changed = new Map<string, ExistingLead>();
    const errors: { row_number: number; field: string; reason: string }[] = [];
    for (const { rowNumber, reading } of job.rows) {
      if (!reading.ok) {
        counts.refused += 1;
        errors.push({ row_number: rowNumber, field: reading.refusal.field, reason: reading.refusal.reason });
        continue;
      }
      const { lead } = reading;
      const pending = byPhone.get(lead.phone);
      if (!pending) {
        const added: Pending = { kind: 'new', lead: { ...lead } };
        byPhone.set(lead.phone, added);
        inserts.push(added);
        counts.inserted += 1;
        continue;
      }
      if (current.duplicates !== 'update') {
        counts.skippedDuplicates += 1;
        continue;
      }
      // An update fills in what the row has; an empty cell never erases a lead's value.
      const fillIn = (target: Pick<ExistingLead, (typeof CONTACT_FIELDS)[number]>) => {
        let isFilled = false;
        for (const field of CONTACT_FIELDS) {
          const value = lead[field];
          if (value !== null && value !== target[field]) {
            target[field] = value;
            isFilled = true;
          }
        }
        return isFilled;
      };
      let isChanged = false;
      if (pending.kind === 'new') {
        isChanged = fillIn(pending.lead);
      } else {
        for (const found of pending.leads) {
          if (!mayEditOthers && found.user_email !== current.user_email) continue;
          const target = changed.get(found.id) ?? { ...found };
          let isTargetChanged = fillIn(target);
          if (current.list_id !== null && target.list_id !== current.list_id) {
            target.list_id = current.list_id;
            isTargetChanged = true;
          }
          if (isTargetChanged) {
            changed.set(found.id, target);
            isChanged = true;
          }
        }
      }
      if (isChanged) counts.updated += 1;
      else counts.skippedDuplicates += 1;
    }

    if (inserts.length > 0) {
      const records = inserts.flatMap((pending, ord) => (pending.kind === 'new' ? [{ ord, ...pending.lead }] : []));
      // Each lead a microsecond after the one before: leads sort by creation in the file's order.
      await tx.sql`
        insert into leads (user_email, name, phone, extension, company, email, notes, time_zone, region, list_id, created_at)
        select ${current.user_email}, t.name, t.phone, t.extension, t.company, t.email, t.notes, t."timeZone", t.region, ${current.list_id}::uuid,
          now() + make_interval(secs => t.ord / 1000000.0)
        from jsonb_to_recordset(${JSON.stringify(records)}::text::jsonb)
          as t(ord int, name text, phone text, extension text, company text, email text, notes text, "timeZone" text, region text)
        order by t.ord`;
    }
    if (changed.size > 0) {
      await tx.sql`
        update leads l set name = t.name, extension = t.extension, company = t.company, email = t.email, notes = t.notes,
          time_zone = t."timeZone", region = t.region, list_id = t.list_id
        from jsonb_to_recordset(${JSON.stringify([...changed.values()])}::text::jsonb)
          as t(id uuid, name text, extension text, company text, email text, notes text, "timeZone" text, region text, list_id uuid)
        where l.id = t.id`;
    }
    if (errors.length > 0) {
      await tx.sql`
        insert into lead_import_errors (import_id, row_number, field, reason)
        select ${job.importId}::uuid, t.row_number, t.field, t.reason
        from jsonb_to_recordset(${JSON.stringify(errors)}::text::jsonb) as t(row_number int, field text, reason text)
        on conflict do nothing`;
    }
    await tx.sql`
      update lead_imports set status = 'running', processed_rows = processed_rows + ${job.rows.length}::int,
        inserted = inserted + ${counts.inserted}::int, updated = updated + ${counts.updated}::int,
        skipped_duplicates = skipped_duplicates + ${counts.skippedDuplicates}::int, refused = refused + ${counts.refused}::int,
        heartbeat_at = now(), updated_at = now()
      where id = ${job.importId}::uuid`;
    return counts;
  });
}

/** Ends an import (done, or failed with a reason) and drops its file; only its runner may. */
export async function finishImport(db: Database, importId: string, runner: string, outcome: { status: 'done' } | { status: 'failed'; failure: string }): Promise<LeadImportRow | undefined> {
  return db.transaction(async (tx) => {
    const failure = outcome.status === 'failed' ? outcome.failure : null;
    const [row] = await tx.sql<LeadImportRow>`
      update lead_imports set status = ${outcome.status}, failure = ${failure}, finished_at = now(), updated_at = now(), heartbeat_at = now()
      where id = ${importId}::uuid and runner = ${runner}::uuid and status in ('queued', 'running')
      returning *`;
    if (row) await tx.sql`delete from lead_import_files where import_id = ${importId}::uuid`;
    return row;
  });
}
