import { normalizePhoneNumber } from '../../../src/core/phone-number.js';
import { parseCsv } from './parse-csv.js';

export interface NewLead {
  readonly name: string;
  readonly phone: string;
  readonly company: string | null;
  readonly email: string | null;
  readonly notes: string | null;
}

export interface RowProblem {
  /** The row's line in the file, counting the header as row 1, as a spreadsheet shows it. */
  readonly row: number;
  readonly message: string;
}

export type LeadRowsReading =
  | { readonly ok: true; readonly leads: readonly NewLead[]; readonly problems: readonly RowProblem[] }
  | { readonly ok: false; readonly message: string };

export const MAX_IMPORT_ROWS = 5_000;

type Column = 'name' | 'firstName' | 'lastName' | 'phone' | 'company' | 'email' | 'notes';

/** Header words people use for each column, compared lower-case with spaces for _ and -. */
const HEADER_ALIASES: Readonly<Record<Column, readonly string[]>> = {
  name: ['name', 'full name', 'contact', 'contact name', 'lead', 'lead name'],
  firstName: ['first name', 'firstname', 'given name'],
  lastName: ['last name', 'lastname', 'surname', 'family name'],
  phone: ['phone', 'phone number', 'number', 'mobile', 'mobile phone', 'telephone', 'tel', 'cell'],
  company: ['company', 'company name', 'organization', 'organisation', 'account'],
  email: ['email', 'e mail', 'email address'],
  notes: ['notes', 'note', 'comments', 'comment'],
};

const normalizeHeader = (header: string) => header.trim().toLowerCase().replace(/[\s_-]+/g, ' ');

function mapColumns(header: readonly string[]): Partial<Record<Column, number>> {
  const columns: Partial<Record<Column, number>> = {};
  header.forEach((raw, index) => {
    const word = normalizeHeader(raw);
    for (const [column, aliases] of Object.entries(HEADER_ALIASES) as [Column, readonly string[]][]) {
      if (columns[column] === undefined && aliases.includes(word)) columns[column] = index;
    }
  });
  return columns;
}

/**
 * Reads leads from a CSV file with a header row. Every good row is kept; each bad row is
 * reported with its row number and the reason, so a rep can fix the file and import those again.
 */
export function readLeadRows(text: string): LeadRowsReading {
  const [header, ...body] = parseCsv(text);
  if (!header) return { ok: false, message: 'The file is empty.' };
  const columns = mapColumns(header);
  const hasName = columns.name !== undefined || columns.firstName !== undefined;
  if (!hasName || columns.phone === undefined) {
    const found = header.filter((h) => h.trim() !== '').join(', ') || 'none';
    return { ok: false, message: `The first row must name the columns, with at least "name" and "phone" (found: ${found}).` };
  }
  if (body.length > MAX_IMPORT_ROWS) return { ok: false, message: `The file has ${body.length} rows; import at most ${MAX_IMPORT_ROWS} at a time.` };

  const leads: NewLead[] = [];
  const problems: RowProblem[] = [];
  const rowOfPhone = new Map<string, number>();
  body.forEach((cells, index) => {
    const row = index + 2;
    const cell = (column: Column) => {
      const at = columns[column];
      return at === undefined ? '' : (cells[at] ?? '').trim();
    };
    if (cells.every((c) => c.trim() === '')) return;
    const name = cell('name') || [cell('firstName'), cell('lastName')].filter(Boolean).join(' ');
    if (name === '') return void problems.push({ row, message: 'the name is missing.' });
    if (name.length > 200) return void problems.push({ row, message: 'the name is longer than 200 characters.' });
    const phone = normalizePhoneNumber(cell('phone'));
    if (!phone.ok) return void problems.push({ row, message: phone.error.message });
    const earlier = rowOfPhone.get(phone.value.e164);
    if (earlier !== undefined) return void problems.push({ row, message: `${phone.value.e164} is already on row ${earlier}.` });
    const email = cell('email');
    if (email !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return void problems.push({ row, message: `"${email}" is not an email address.` });
    rowOfPhone.set(phone.value.e164, row);
    leads.push({ name, phone: phone.value.e164, company: cell('company') || null, email: email || null, notes: cell('notes') || null });
  });
  return { ok: true, leads, problems };
}
