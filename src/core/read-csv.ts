import Papa from 'papaparse';
import { fail, ok, type Result } from './errors.js';

/** The text encodings an uploaded file is read in (WHATWG labels). */
export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** How a file was written, as found by reading it: what the import preview shows. */
export interface CsvDialect {
  readonly delimiter: string;
  /** The file started with a byte order mark (Excel's "CSV UTF-8" does). */
  readonly hasBom: boolean;
  /** The file started with Excel's `sep=;` line, which named the delimiter and is not a row. */
  readonly sepLine: boolean;
  readonly encoding: CsvEncoding;
  readonly lineBreak: '\n' | '\r\n' | '\r';
}

/** A row with data in it, numbered as a spreadsheet shows it. */
export interface CsvRecord {
  /**
   * The header is row 1; every row of the file counts, blank ones too, and a cell with line breaks
   * in it is one row (as Excel and Google Sheets show it); Excel's `sep=` line is not a row.
   */
  readonly rowNumber: number;
  readonly cells: readonly string[];
}

export interface CsvTable {
  readonly dialect: CsvDialect;
  /** The header's labels, each unique and non-empty: "Column C" for an empty one, "Phone (2)" for a repeat. */
  readonly headers: readonly string[];
  /** Rows with data, in file order; blank rows are not here and not counted. */
  readonly records: readonly CsvRecord[];
}

export interface DecodedText {
  readonly text: string;
  readonly encoding: CsvEncoding;
  readonly hasBom: boolean;
}

const startsWith = (bytes: Uint8Array, ...prefix: number[]) => prefix.every((byte, index) => bytes[index] === byte);

/**
 * The kind of file these bytes are when they are not text a CSV reader should read (a workbook,
 * an archive, a document, an image), in words for a message; undefined for text.
 */
export function describeBinaryFile(bytes: Uint8Array): string | undefined {
  if (startsWith(bytes, 0x50, 0x4b, 0x03, 0x04) || startsWith(bytes, 0x50, 0x4b, 0x05, 0x06)) {
    // A zip's entry names are plain ASCII in its local headers and its central directory at the end.
    const ends = latin1(bytes.subarray(0, 65_536)) + latin1(bytes.subarray(Math.max(0, bytes.length - 65_536)));
    if (ends.includes('xl/')) return 'an Excel workbook (.xlsx)';
    if (ends.includes('opendocument.spreadsheet')) return 'an OpenDocument spreadsheet (.ods)';
    if (ends.includes('Index/Document.iwa')) return 'a Numbers spreadsheet';
    if (ends.includes('word/')) return 'a Word document (.docx)';
    return 'a ZIP archive';
  }
  if (startsWith(bytes, 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) return 'an Excel 97–2003 workbook (.xls)';
  if (startsWith(bytes, 0x25, 0x50, 0x44, 0x46)) return 'a PDF document';
  if (startsWith(bytes, 0x1f, 0x8b)) return 'a gzip-compressed file';
  if (startsWith(bytes, 0x89, 0x50, 0x4e, 0x47) || startsWith(bytes, 0xff, 0xd8, 0xff) || startsWith(bytes, 0x47, 0x49, 0x46, 0x38)) return 'an image';
  const head = latin1(bytes.subarray(0, 2048)).replace(/^\xEF\xBB\xBF/, '').trimStart().toLowerCase();
  if (head.startsWith('{\\rtf')) return 'an RTF document';
  if (head.startsWith('<?xml') && head.includes('urn:schemas-microsoft-com:office:spreadsheet')) return 'an Excel XML spreadsheet';
  // Several CRMs save their ".xls" exports as an HTML table.
  if (/^(<!doctype html|<html|<table)/.test(head)) return 'an HTML page (some programs save .xls files as HTML)';
  const isUtf16 = startsWith(bytes, 0xff, 0xfe) || startsWith(bytes, 0xfe, 0xff) || (bytes[1] === 0 && bytes[3] === 0 && bytes[0] !== 0);
  if (!isUtf16 && bytes.subarray(0, 8192).includes(0)) return 'a binary file';
  return undefined;
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let at = 0; at < bytes.length; at += 8192) text += String.fromCharCode(...bytes.subarray(at, at + 8192));
  return text;
}

/**
 * The file's text: UTF-8 (with or without a byte order mark), UTF-16 (Excel's "Unicode text"),
 * and otherwise Windows-1252, which older Excel versions write on Windows in Western Europe.
 */
export function decodeText(bytes: Uint8Array): DecodedText {
  const decode = (encoding: CsvEncoding, isFatal = false) => new TextDecoder(encoding, { fatal: isFatal, ignoreBOM: false }).decode(bytes);
  if (startsWith(bytes, 0xef, 0xbb, 0xbf)) return { text: decode('utf-8'), encoding: 'utf-8', hasBom: true };
  if (startsWith(bytes, 0xff, 0xfe)) return { text: decode('utf-16le'), encoding: 'utf-16le', hasBom: true };
  if (startsWith(bytes, 0xfe, 0xff)) return { text: decode('utf-16be'), encoding: 'utf-16be', hasBom: true };
  if (bytes[1] === 0 && bytes[3] === 0 && bytes[0] !== 0) return { text: decode('utf-16le'), encoding: 'utf-16le', hasBom: false };
  try {
    return { text: decode('utf-8', true), encoding: 'utf-8', hasBom: false };
  } catch {
    return { text: decode('windows-1252'), encoding: 'windows-1252', hasBom: false };
  }
}

/** The delimiters a file may use, in the order a tie is decided. */
export const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;
const SEP_LINE = /^sep=(.)[ \t]*(?:\r\n|\n|\r|$)/i;
const GUESS_RECORDS = 50;

const isBlank = (cells: readonly string[]) => cells.every((cell) => cell.trim() === '');

/**
 * The delimiter that splits the first rows most consistently: the header into more than one
 * column, and as many data rows as possible into as many cells as the header. A quoted cell's
 * delimiters do not count (each candidate is tried by the parser itself).
 */
export function guessDelimiter(text: string): string {
  let best: { delimiter: string; score: number; columns: number } = { delimiter: ',', score: -1, columns: 1 };
  for (const delimiter of CSV_DELIMITERS) {
    const rows = Papa.parse<string[]>(text, { delimiter, preview: GUESS_RECORDS, skipEmptyLines: 'greedy' }).data;
    const [header, ...body] = rows;
    const columns = header?.length ?? 0;
    if (columns < 2) continue;
    const consistent = body.filter((cells) => cells.length === columns).length;
    const score = body.length === 0 ? 1 : consistent / body.length;
    if (score > best.score || (score === best.score && columns > best.columns)) best = { delimiter, score, columns };
  }
  return best.delimiter;
}

function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** Header labels a person can pick from: trimmed, an empty one named by its column letter, repeats numbered. */
export function labelHeaders(cells: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return cells.map((cell, index) => {
    const label = cell.trim() === '' ? `Column ${columnLetter(index)}` : cell.trim().replace(/\s+/g, ' ');
    const count = (seen.get(label.toLowerCase()) ?? 0) + 1;
    seen.set(label.toLowerCase(), count);
    return count === 1 ? label : `${label} (${count})`;
  });
}

/**
 * Reads a decoded CSV file as spreadsheets write it: Excel's `sep=` line, `,` `;` tab or `|`
 * (guessed from the first rows), quoted cells with delimiters, quotes and line breaks in them,
 * LF, CRLF or CR line ends. The first row with data is the header; blank rows are skipped but
 * keep their numbers. Refused (`invalid_file`): a file without a header, and a quote that opens
 * a cell and never closes it (everything after it would be read as one cell).
 */
export function readCsv(decoded: DecodedText): Result<CsvTable> {
  // A BOM left in by a decoder that keeps it, or one written twice.
  let text = decoded.text.replace(/^\uFEFF+/, '');
  const hasBom = decoded.hasBom || text.length !== decoded.text.length;
  const sep = SEP_LINE.exec(text);
  if (sep) text = text.slice(sep[0].length);
  const lineBreak = text.includes('\r\n') ? '\r\n' : text.includes('\n') || !text.includes('\r') ? '\n' : '\r';
  // One line end everywhere: a file that mixes them (rows pasted from elsewhere) is read row by row.
  text = text.replace(/\r\n?/g, '\n');
  const delimiter = sep?.[1] ?? guessDelimiter(text);

  const parsed = Papa.parse<string[]>(text, { delimiter, newline: '\n', skipEmptyLines: false });
  const unclosed = parsed.errors.find((error) => error.code === 'MissingQuotes');
  if (unclosed) {
    return fail('invalid_file', `Row ${(unclosed.row ?? 0) + 1}: a quote (") opens a cell that is never closed, so the rest of the file would be one cell. Fix that row and upload the file again.`);
  }
  const rows = parsed.data;
  const headerIndex = rows.findIndex((cells) => !isBlank(cells));
  const header = rows[headerIndex];
  if (headerIndex < 0 || !header) return fail('invalid_file', 'The file is empty: it needs a first row naming the columns, and a row for each lead.');
  const records: CsvRecord[] = [];
  for (let index = headerIndex + 1; index < rows.length; index++) {
    const cells = rows[index];
    if (cells && !isBlank(cells)) records.push({ rowNumber: index + 1, cells });
  }
  return ok({
    dialect: { delimiter, hasBom, sepLine: sep !== null, encoding: decoded.encoding, lineBreak },
    headers: labelHeaders(header),
    records,
  });
}
