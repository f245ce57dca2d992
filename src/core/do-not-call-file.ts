import { fail, ok, type Result } from './errors.js';
import { isPhoneHeader, normalizeHeader } from './lead-import.js';
import { normalizePhoneNumber, type CountryCode } from './phone-number.js';
import { readCsv, type DecodedText } from './read-csv.js';

/**
 * How a do-not-call file is laid out:
 *
 * - `registry`: a full-list download of the FTC's National Do Not Call Registry
 *   (telemarketing.donotcall.gov). The FTC describes its "flat text file" as data only, one
 *   telephone number per line (FTC, "National Do Not Call Registry: Telemarketer Access
 *   Information", 2003, archived at webarchive.library.unt.edu/eot2008); vendors that read these
 *   downloads describe the same file as one area code and number per line separated by a comma
 *   (`201,5550123`). Both forms are read, with no header. The registry's change lists (additions
 *   and deletions with several fields per record) and its XML files are not read: a change list's
 *   deletions must not be imported as numbers not to call, nor silently dropped.
 * - `table`: any CSV or text file (read by readCsv): the numbers are in the columns whose header
 *   names a phone (Phone, Mobile, Number, DNC, in the languages the lead import knows), else in the
 *   one column whose cells read as phone numbers; a file without a header (one number per line)
 *   reads its first row as a number too.
 */
export type DoNotCallFileFormat = 'registry' | 'table';

/** A number read from the file, with its row (the first line is row 1, blank lines count). */
export interface DoNotCallFileNumber {
  readonly rowNumber: number;
  readonly e164: string;
}

/** A cell or line that is not a number, with why. */
export interface DoNotCallFileRefusal {
  readonly rowNumber: number;
  readonly input: string;
  readonly message: string;
}

export interface DoNotCallFile {
  readonly format: DoNotCallFileFormat;
  /** The headers the numbers came from (`table` with a header); empty otherwise. */
  readonly columns: readonly string[];
  readonly numbers: readonly DoNotCallFileNumber[];
  readonly refusals: readonly DoNotCallFileRefusal[];
}

// One registry record: an area code and a seven-digit number, or the ten digits together.
const REGISTRY_PAIR = /^\s*"?(\d{3})"?\s*,\s*"?(\d{7})"?\s*$/;
const REGISTRY_TEN = /^\s*"?(\d{10})"?\s*$/;
// A NANP number: area code and exchange code each start with 2–9 (NANP numbering plan, ATIS-0300076).
const NANP_NUMBER = /^[2-9]\d{2}[2-9]\d{6}$/;
/** The first lines looked at to tell the layout, and the share of them that must be registry records. */
const SNIFF_LINES = 50;
const REGISTRY_SHARE = 0.8;
const SNIFF_RECORDS = 100;
const MAX_SHOWN_INPUT = 100;

/** Headers that name a do-not-call number beyond the lead import's phone words. */
const DO_NOT_CALL_HEADERS = new Set(['dnc', 'dnc number', 'dnc phone', 'do not call', 'do not call number', 'numbers', 'phone numbers', 'telephone numbers', 'phonenumber', 'e164', 'msisdn']);

// A US number as files write it: (303) 555-0123, 303.555.0123, +1 303 555 0123, 1-303-555-0123.
const NANP_WRITTEN = /^(?:\+?1[\s.-]?)?\(?([2-9]\d{2})\)?[\s.-]?([2-9]\d{2})[\s.-]?(\d{4})$/;

/**
 * The E.164 form of a plainly written NANP number, without the phone library's full parse (the
 * slower part of a 100,000-row import): the shape alone decides, as for registry records. Read
 * only where a number without `+` is a US one, or with an explicit +1.
 */
function readNanpQuickly(cell: string, country: CountryCode): string | undefined {
  if (country !== 'US' && !cell.startsWith('+1')) return undefined;
  const parts = NANP_WRITTEN.exec(cell);
  return parts ? `+1${parts[1]}${parts[2]}${parts[3]}` : undefined;
}

const shown = (text: string) => (text.length > MAX_SHOWN_INPUT ? `${text.slice(0, MAX_SHOWN_INPUT - 1)}…` : text);

function registryDigits(line: string): string | undefined {
  const pair = REGISTRY_PAIR.exec(line);
  if (pair) return `${pair[1]}${pair[2]}`;
  return REGISTRY_TEN.exec(line)?.[1];
}

function isRegistryFile(lines: readonly string[]): boolean {
  const sample = lines.filter((line) => line.trim() !== '').slice(0, SNIFF_LINES);
  // A header line a person added (no digits in it) does not count either way.
  const data = sample.filter((line, index) => index > 0 || /\d/.test(line));
  if (data.length === 0) return false;
  // Two fields of 3 and 7 digits are the registry's own layout; ten digits alone are only when
  // they are a NANP number (a German national number has ten digits too).
  const records = data.filter((line) => REGISTRY_PAIR.test(line) || NANP_NUMBER.test(REGISTRY_TEN.exec(line)?.[1] ?? ''));
  return records.length >= REGISTRY_SHARE * data.length;
}

function readRegistry(lines: readonly string[]): DoNotCallFile {
  const numbers: DoNotCallFileNumber[] = [];
  const refusals: DoNotCallFileRefusal[] = [];
  let isFirst = true;
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const rowNumber = index + 1;
    if (isFirst && !/\d/.test(line)) {
      isFirst = false;
      return;
    }
    isFirst = false;
    const digits = registryDigits(line);
    const input = shown(line.trim());
    if (digits === undefined) {
      refusals.push({ rowNumber, input, message: `"${input}" is not a registry record: an area code and a 7-digit number (201,5550123), or 10 digits.` });
    } else if (!NANP_NUMBER.test(digits)) {
      refusals.push({ rowNumber, input, message: `"${input}" is not a US number: its area code and its exchange (the next 3 digits) each start with 2–9.` });
    } else {
      numbers.push({ rowNumber, e164: `+1${digits}` });
    }
  });
  return { format: 'registry', columns: [], numbers, refusals };
}

const isDoNotCallHeader = (header: string) => isPhoneHeader(header) || DO_NOT_CALL_HEADERS.has(normalizeHeader(header));

/**
 * Reads a do-not-call file (see DoNotCallFileFormat): every number in it as E.164 (a number
 * without `+` in `country`; an extension is dropped, as the list is by number), and every cell or
 * line that is not a number, with its row. Registry records, and US numbers plainly written in
 * a table, are checked against the NANP's shape only: the list only stops calls, so a number the
 * phone library does not know yet (a new area code) is kept, not dropped.
 * Errors: `invalid_file` (an empty file; a quote never closed; a table in which no column
 * holds phone numbers).
 */
export function readDoNotCallFile(decoded: DecodedText, country: CountryCode): Result<DoNotCallFile> {
  const text = decoded.text.replace(/^\uFEFF+/, '').replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  if (lines.every((line) => line.trim() === '')) {
    return fail('invalid_file', 'The file is empty: it needs phone numbers, one on each line or in a column named Phone.');
  }
  if (isRegistryFile(lines)) return ok(readRegistry(lines));

  const table = readCsv(decoded);
  if (!table.ok) return table;
  const { headers, records } = table.value;
  const read = (cell: string): Result<{ e164: string }> => {
    const quick = readNanpQuickly(cell.trim(), country);
    return quick ? ok({ e164: quick }) : normalizePhoneNumber(cell, country, { canHaveExtension: true });
  };
  let columns = headers.flatMap((header, index) => (isDoNotCallHeader(header) ? [index] : []));
  let isHeaderData = false;
  if (columns.length === 0) {
    // No header names a phone: the column whose cells read as numbers most often. Its first
    // row is a number too when it reads as one (a list without a header).
    let best = { index: -1, score: 0 };
    headers.forEach((header, index) => {
      const cells = [header, ...records.slice(0, SNIFF_RECORDS).map((record) => record.cells[index] ?? '')];
      const score = cells.filter((cell) => cell.trim() !== '' && read(cell).ok).length;
      if (score > best.score) best = { index, score };
    });
    const header = headers[best.index];
    if (header === undefined) {
      return fail('invalid_file', 'No column of the file holds phone numbers: put one number on each line, or name the column Phone.');
    }
    columns = [best.index];
    isHeaderData = read(header).ok;
  }

  const numbers: DoNotCallFileNumber[] = [];
  const refusals: DoNotCallFileRefusal[] = [];
  const readRow = (rowNumber: number, cells: readonly string[]) => {
    let isEmpty = true;
    for (const index of columns) {
      const cell = (cells[index] ?? '').trim();
      if (cell === '') continue;
      isEmpty = false;
      const phone = read(cell);
      if (phone.ok) numbers.push({ rowNumber, e164: phone.value.e164 });
      else refusals.push({ rowNumber, input: shown(cell), message: phone.error.message });
    }
    if (isEmpty) {
      const named = columns.map((index) => `"${headers[index] ?? ''}"`).join(' or ');
      refusals.push({ rowNumber, input: '', message: isHeaderData ? 'No number on this row.' : `No number in ${named} on this row.` });
    }
  };
  if (isHeaderData) readRow(headerRowNumber(text), headers);
  for (const record of records) readRow(record.rowNumber, record.cells);
  return ok({ format: 'table', columns: isHeaderData ? [] : columns.map((index) => headers[index] ?? ''), numbers, refusals });
}

/** The row the header is on as readCsv numbers rows: after Excel's `sep=` line, blank lines counted. */
function headerRowNumber(text: string): number {
  const lines = text.replace(/^sep=.[ \t]*(?:\n|$)/i, '').split('\n');
  const at = lines.findIndex((line) => !/^[\s,;|]*$/.test(line));
  return at + 1;
}
