import { describe, expect, it } from 'vitest';
import { columnIndexes, describeRowRefusal, readLeadRow, suggestMapping, validateMapping, type ImportMapping } from './lead-import.js';
import { decodeText, describeBinaryFile, guessDelimiter, labelHeaders, readCsv, type CsvTable } from './read-csv.js';

const bytes = (text: string) => new TextEncoder().encode(text);

function read(input: string | Uint8Array): CsvTable {
  const result = readCsv(decodeText(typeof input === 'string' ? bytes(input) : input));
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const rowsOf = (table: CsvTable) => table.records.map((record) => [record.rowNumber, ...record.cells]);

describe('reading CSV dialects', () => {
  it('a UTF-8 byte order mark is dropped and reported', () => {
    const table = read('\uFEFFName,Phone\nAda,+14155550142\n');
    expect(table.dialect).toMatchObject({ hasBom: true, delimiter: ',', encoding: 'utf-8' });
    expect(table.headers).toEqual(['Name', 'Phone']);
  });

  it("Excel's sep= line names the delimiter and is not a row (the header stays row 1)", () => {
    const table = read('sep=;\r\nName;Phone\r\nAda, Countess;+14155550142\r\n');
    expect(table.dialect).toMatchObject({ sepLine: true, delimiter: ';', lineBreak: '\r\n' });
    expect(rowsOf(table)).toEqual([[2, 'Ada, Countess', '+14155550142']]);
    expect(read('\uFEFFsep=,\nName,Phone\nAda,1\n').dialect).toMatchObject({ sepLine: true, hasBom: true, delimiter: ',' });
  });

  it('guesses ; over , when the data has commas in unquoted cells (a European export)', () => {
    const text = 'Name;Telefon;Notizen\nMüller;030 1234567;ruft an, später\nSchmidt;030 7654321;a, b, c\n';
    expect(guessDelimiter(text)).toBe(';');
    expect(rowsOf(read(text))).toEqual([
      [2, 'Müller', '030 1234567', 'ruft an, später'],
      [3, 'Schmidt', '030 7654321', 'a, b, c'],
    ]);
  });

  it('reads tab and pipe files, and a one-column file as comma-separated', () => {
    expect(read('Name\tPhone\nAda\t+14155550142').dialect.delimiter).toBe('\t');
    expect(read('Name|Phone\nAda|+14155550142').dialect.delimiter).toBe('|');
    const single = read('Phone\n+14155550142\n+14155550143\n');
    expect(single.dialect.delimiter).toBe(',');
    expect(rowsOf(single)).toEqual([[2, '+14155550142'], [3, '+14155550143']]);
  });

  it('quoted cells keep delimiters, doubled quotes and line breaks; a multi-line cell is one row', () => {
    const table = read('Name,Notes\r\n"Lovelace, Ada","She said ""call me""\r\non Monday"\r\nBabbage,x\r\n');
    expect(rowsOf(table)).toEqual([
      [2, 'Lovelace, Ada', 'She said "call me"\non Monday'],
      [3, 'Babbage', 'x'],
    ]);
  });

  it('blank rows (also rows of empty cells) are skipped and not counted, but keep their numbers', () => {
    const table = read('\nName,Phone\n\nAda,1\n,\n  ,  \nBob,2\n\n\n');
    expect(rowsOf(table)).toEqual([
      [4, 'Ada', '1'],
      [7, 'Bob', '2'],
    ]);
    expect(table.dialect.lineBreak).toBe('\n');
  });

  it('a file mixing CRLF, LF and CR line ends is read row by row', () => {
    expect(rowsOf(read('Name,Phone\r\nAda,1\nBob,2\rCy,3'))).toEqual([
      [2, 'Ada', '1'],
      [3, 'Bob', '2'],
      [4, 'Cy', '3'],
    ]);
  });

  it('decodes UTF-16 (Excel "Unicode text") and Windows-1252', () => {
    const utf16 = new Uint8Array([0xff, 0xfe, ...[...'Name\tTelefon\nJürgen\t1\n'].flatMap((c) => [c.charCodeAt(0), 0])]);
    const table = read(utf16);
    expect(table.dialect).toMatchObject({ encoding: 'utf-16le', hasBom: true, delimiter: '\t' });
    expect(rowsOf(table)).toEqual([[2, 'Jürgen', '1']]);
    const cp1252 = new Uint8Array([...bytes('Name;Firma\nM'), 0xfc, ...bytes('ller;Caf'), 0xe9, 0x0a]);
    expect(read(cp1252).dialect.encoding).toBe('windows-1252');
    expect(rowsOf(read(cp1252))).toEqual([[2, 'Müller', 'Café']]);
  });

  it('refuses an empty file and a quote that never closes (invalid_file), naming the row', () => {
    expect(readCsv(decodeText(bytes('\n \n')))).toMatchObject({ ok: false, error: { code: 'invalid_file' } });
    expect(readCsv(decodeText(bytes('Name,Phone\nAda,1\n"Bob,2\nCy,3\n')))).toMatchObject({ ok: false, error: { code: 'invalid_file', message: expect.stringMatching(/^Row 3: a quote/) } });
  });

  it('a header-only file has no records', () => {
    expect(read('Name,Phone\r\n').records).toEqual([]);
  });

  it('header labels are unique and never empty', () => {
    expect(labelHeaders(['Phone', ' ', 'phone', 'Phone', '  Name  '])).toEqual(['Phone', 'Column B', 'phone (2)', 'Phone (3)', 'Name']);
    expect(labelHeaders(Array.from({ length: 28 }, () => '')).slice(25)).toEqual(['Column Z', 'Column AA', 'Column AB']);
  });
});

describe('recognising files that are not CSV', () => {
  const zip = (...names: string[]) => new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, ...bytes(names.join('\0PK\x03\x04'))]);
  it.each([
    [zip('[Content_Types].xml', 'xl/workbook.xml'), 'an Excel workbook (.xlsx)'],
    [zip('mimetype', 'application/vnd.oasis.opendocument.spreadsheet'), 'an OpenDocument spreadsheet (.ods)'],
    [zip('word/document.xml'), 'a Word document (.docx)'],
    [zip('data.csv'), 'a ZIP archive'],
    [new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), 'an Excel 97–2003 workbook (.xls)'],
    [bytes('%PDF-1.4'), 'a PDF document'],
    [new Uint8Array([0x1f, 0x8b, 8, 0]), 'a gzip-compressed file'],
    [new Uint8Array([0x89, 0x50, 0x4e, 0x47]), 'an image'],
    [bytes('<html><table><tr><td>Name</td></tr></table></html>'), 'an HTML page (some programs save .xls files as HTML)'],
    [bytes('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'), 'an Excel XML spreadsheet'],
    [bytes('{\\rtf1\\ansi Name'), 'an RTF document'],
    [new Uint8Array([0x4e, 0x61, 0, 0x01, 0x02]), 'a binary file'],
  ])('%#: %s', (file, name) => {
    expect(describeBinaryFile(file)).toBe(name);
  });

  it('text is not refused: UTF-8 with a BOM, UTF-16, plain ASCII', () => {
    expect(describeBinaryFile(bytes('\uFEFFName,Phone\n'))).toBeUndefined();
    expect(describeBinaryFile(new Uint8Array([0xff, 0xfe, 0x4e, 0, 0x61, 0]))).toBeUndefined();
    expect(describeBinaryFile(bytes('Name,Phone\nAda,1\n'))).toBeUndefined();
  });
});

describe('suggesting a mapping from the headers', () => {
  it.each<[string, string[], ImportMapping]>([
    ['Salesforce', ['First Name', 'Last Name', 'Title', 'Account Name', 'Phone', 'Mobile', 'Email', 'Description'],
      { firstName: 'First Name', lastName: 'Last Name', company: 'Account Name', phone: 'Phone', mobile: 'Mobile', email: 'Email', notes: 'Description' }],
    ['HubSpot', ['Record ID', 'First Name', 'Last Name', 'Email', 'Phone Number', 'Mobile Phone Number', 'Company Name'],
      { firstName: 'First Name', lastName: 'Last Name', email: 'Email', phone: 'Phone Number', mobile: 'Mobile Phone Number', company: 'Company Name' }],
    ['a plain sheet', ['name', 'phone', 'company', 'email', 'notes'], { name: 'name', phone: 'phone', company: 'company', email: 'email', notes: 'notes' }],
    ['German', ['Vorname', 'Nachname', 'Telefon', 'Handy', 'Firma', 'E-Mail', 'Notizen'],
      { firstName: 'Vorname', lastName: 'Nachname', phone: 'Telefon', mobile: 'Handy', company: 'Firma', email: 'E-Mail', notes: 'Notizen' }],
    ['German, "Name" beside "Vorname"', ['Vorname', 'Name', 'Mobil', 'Unternehmen', 'Beschreibung', 'Durchwahl'],
      { firstName: 'Vorname', lastName: 'Name', mobile: 'Mobil', company: 'Unternehmen', notes: 'Beschreibung', extension: 'Durchwahl' }],
    ['German, "Name" alone', ['Name', 'Telefonnummer', 'Bemerkungen'], { name: 'Name', phone: 'Telefonnummer', notes: 'Bemerkungen' }],
    ['French', ['Prénom', 'Nom', 'Téléphone', 'Portable', 'Société', 'Courriel', 'Remarques'],
      { firstName: 'Prénom', lastName: 'Nom', phone: 'Téléphone', mobile: 'Portable', company: 'Société', email: 'Courriel', notes: 'Remarques' }],
    ['Spanish', ['Nombre', 'Apellidos', 'Teléfono', 'Móvil', 'Empresa', 'Correo electrónico', 'Notas'],
      { firstName: 'Nombre', lastName: 'Apellidos', phone: 'Teléfono', mobile: 'Móvil', company: 'Empresa', email: 'Correo electrónico', notes: 'Notas' }],
    ['Dutch', ['Voornaam', 'Achternaam', 'Telefoonnummer', 'Mobiel', 'Bedrijf', 'E-mailadres', 'Opmerkingen'],
      { firstName: 'Voornaam', lastName: 'Achternaam', phone: 'Telefoonnummer', mobile: 'Mobiel', company: 'Bedrijf', email: 'E-mailadres', notes: 'Opmerkingen' }],
    ['Portuguese', ['Nome', 'Sobrenome', 'Telefone', 'Celular', 'Empresa', 'E-mail', 'Observações'],
      { firstName: 'Nome', lastName: 'Sobrenome', phone: 'Telefone', mobile: 'Celular', company: 'Empresa', email: 'E-mail', notes: 'Observações' }],
    ['Italian', ['Nome', 'Cognome', 'Telefono', 'Cellulare', 'Azienda', 'Email', 'Note'],
      { firstName: 'Nome', lastName: 'Cognome', phone: 'Telefono', mobile: 'Cellulare', company: 'Azienda', email: 'Email', notes: 'Note' }],
    ['snake_case and repeats', ['full_name', 'PHONE_NUMBER', 'Phone Number (2)', 'e_mail'], { name: 'full_name', phone: 'PHONE_NUMBER', email: 'e_mail' }],
  ])('%s', (_, headers, expected) => {
    expect(suggestMapping(headers)).toEqual(expected);
  });

  it('suggests nothing for headers it does not know', () => {
    expect(suggestMapping(['Spalte 1', 'Column B'])).toEqual({});
  });
});

describe('checking a mapping against the headers', () => {
  const headers = ['Name', 'Phone', 'Mobile', 'Company'];
  it('accepts a mapping of the file\'s headers with a phone and a name source', () => {
    expect(validateMapping({ name: 'Name', phone: 'Phone' }, headers).ok).toBe(true);
    expect(validateMapping({ company: 'Company', mobile: 'Mobile' }, headers).ok).toBe(true);
  });
  it.each<[ImportMapping, RegExp]>([
    [{ name: 'name', phone: 'Phone' }, /^mapping\.name: the file has no column "name" \(its columns: "Name", "Phone", "Mobile", "Company"\)\.$/],
    [{ name: 'Name', phone: 'Phone', mobile: 'Phone' }, /^mapping\.mobile: the column "Phone" is already mapped to phone/],
    [{ name: 'Name' }, /choose the column with the phone number/],
    [{ phone: 'Phone' }, /choose the column with the name/],
  ])('refuses %j', (mapping, message) => {
    expect(validateMapping(mapping, headers)).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringMatching(message) } });
  });
});

describe('reading a row as a lead', () => {
  const headers = ['First', 'Last', 'Name', 'Phone', 'Mobile', 'Ext', 'Company', 'Email', 'Notes'];
  const columns = columnIndexes({ firstName: 'First', lastName: 'Last', name: 'Name', phone: 'Phone', mobile: 'Mobile', extension: 'Ext', company: 'Company', email: 'Email', notes: 'Notes' }, headers);
  const row = (cells: Partial<Record<string, string>>) => headers.map((header) => cells[header] ?? '');

  it('name from the name column, else first and last, else the company', () => {
    expect(readLeadRow(row({ Name: ' Ada Lovelace ', First: 'X', Phone: '+14155550142' }), columns, 'US')).toMatchObject({ ok: true, lead: { name: 'Ada Lovelace' } });
    expect(readLeadRow(row({ First: 'Ada', Last: 'Lovelace', Phone: '+14155550142' }), columns, 'US')).toMatchObject({ ok: true, lead: { name: 'Ada Lovelace' } });
    expect(readLeadRow(row({ Last: 'Lovelace', Phone: '+14155550142' }), columns, 'US')).toMatchObject({ ok: true, lead: { name: 'Lovelace' } });
    expect(readLeadRow(row({ Company: 'Analytical Engines', Phone: '+14155550142' }), columns, 'US')).toMatchObject({ ok: true, lead: { name: 'Analytical Engines', company: 'Analytical Engines' } });
  });

  it('mobile is the number when phone is empty, and only then', () => {
    expect(readLeadRow(row({ Name: 'A', Mobile: '0151 23456789' }), columns, 'DE')).toMatchObject({ ok: true, lead: { phone: '+4915123456789' } });
    expect(readLeadRow(row({ Name: 'A', Phone: '030 1234567', Mobile: '0151 23456789' }), columns, 'DE')).toMatchObject({ ok: true, lead: { phone: '+49301234567' } });
    expect(readLeadRow(row({ Name: 'A', Phone: 'abc1', Mobile: '0151 23456789' }), columns, 'DE')).toMatchObject({ ok: false, refusal: { field: 'phone' } });
    expect(readLeadRow(row({ Name: 'A' }), columns, 'US')).toEqual({ ok: false, refusal: { field: 'phone', reason: 'empty, and so is mobile.' } });
  });

  it('reads national numbers in the given country', () => {
    expect(readLeadRow(row({ Name: 'A', Phone: '01 42 68 53 00' }), columns, 'FR')).toMatchObject({ ok: true, lead: { phone: '+33142685300' } });
    expect(readLeadRow(row({ Name: 'A', Phone: '(415) 555-0142' }), columns, 'US')).toMatchObject({ ok: true, lead: { phone: '+14155550142' } });
    expect(readLeadRow(row({ Name: 'A', Phone: '+44 20 7946 0958' }), columns, 'DE')).toMatchObject({ ok: true, lead: { phone: '+442079460958' } });
  });

  it('keeps an extension apart, from the number or its own column, and refuses two that differ', () => {
    expect(readLeadRow(row({ Name: 'A', Phone: '+49 30 1234567 ext. 89' }), columns, 'US')).toMatchObject({ ok: true, lead: { phone: '+49301234567', extension: '89' } });
    expect(readLeadRow(row({ Name: 'A', Phone: '030 1234567', Ext: 'x 12' }), columns, 'DE')).toMatchObject({ ok: true, lead: { phone: '+49301234567', extension: '12' } });
    expect(readLeadRow(row({ Name: 'A', Phone: '030 1234567 Durchwahl 89', Ext: '89' }), columns, 'DE')).toMatchObject({ ok: true, lead: { extension: '89' } });
    expect(readLeadRow(row({ Name: 'A', Phone: '030 1234567 ext 89', Ext: '12' }), columns, 'DE')).toMatchObject({ ok: false, refusal: { field: 'extension' } });
    expect(readLeadRow(row({ Name: 'A', Phone: '030 1234567', Ext: 'Zentrale' }), columns, 'DE')).toEqual({ ok: false, refusal: { field: 'extension', reason: '"Zentrale" is not an extension: use digits only, at most 10.' } });
  });

  it('refuses a bad email and a name over 200 characters', () => {
    expect(readLeadRow(row({ Name: 'A', Phone: '+14155550142', Email: 'ada@' }), columns, 'US')).toEqual({ ok: false, refusal: { field: 'email', reason: '"ada@" is not an email address.' } });
    expect(readLeadRow(row({ Name: 'x'.repeat(201), Phone: '+14155550142' }), columns, 'US')).toMatchObject({ ok: false, refusal: { field: 'name' } });
  });

  it('a short row (fewer cells than headers) reads the missing cells as empty', () => {
    expect(readLeadRow(['Ada', 'Lovelace', '', '+14155550142'], columns, 'US')).toMatchObject({ ok: true, lead: { name: 'Ada Lovelace', email: null, notes: null } });
  });

  it('every refusal reads "Row n: field: reason"', () => {
    expect(describeRowRefusal(7, 'phone', 'empty.')).toBe('Row 7: phone: empty.');
  });
});

describe("the callee's own time zone and state", () => {
  const headers = ['Name', 'Phone', 'Time Zone', 'State'];
  const columns = columnIndexes({ name: 'Name', phone: 'Phone', timeZone: 'Time Zone', region: 'State' }, headers);

  it('suggests them from headers in the languages the import reads, and never from "Region" or "Estado" alone', () => {
    expect(suggestMapping(['Name', 'Phone', 'Time Zone', 'State'])).toEqual({ name: 'Name', phone: 'Phone', timeZone: 'Time Zone', region: 'State' });
    expect(suggestMapping(['Full Name', 'Phone Number', 'Timezone', 'State/Region'])).toMatchObject({ timeZone: 'Timezone', region: 'State/Region' });
    expect(suggestMapping(['Name', 'Phone', 'Mailing State/Province'])).toMatchObject({ region: 'Mailing State/Province' });
    expect(suggestMapping(['Name', 'Telefon', 'Zeitzone', 'Bundesstaat'])).toMatchObject({ timeZone: 'Zeitzone', region: 'Bundesstaat' });
    expect(suggestMapping(['Nom', 'Téléphone', 'Fuseau horaire', 'État/Région'])).toMatchObject({ timeZone: 'Fuseau horaire', region: 'État/Région' });
    expect(suggestMapping(['Nombre', 'Teléfono', 'Zona horaria', 'Estado/Región'])).toMatchObject({ timeZone: 'Zona horaria', region: 'Estado/Región' });
    expect(suggestMapping(['Naam', 'Telefoon', 'Tijdzone', 'Staat/regio'])).toMatchObject({ timeZone: 'Tijdzone', region: 'Staat/regio' });
    expect(suggestMapping(['Nome', 'Telefone', 'Fuso horário', 'Estado/Região'])).toMatchObject({ timeZone: 'Fuso horário', region: 'Estado/Região' });
    expect(suggestMapping(['Nome', 'Telefono', 'Fuso orario', 'Stato/Regione'])).toMatchObject({ timeZone: 'Fuso orario', region: 'Stato/Regione' });
    const ambiguous = suggestMapping(['Name', 'Phone', 'Region', 'Estado', 'Stato']);
    expect(ambiguous.region).toBeUndefined();
  });

  it('reads an IANA zone, a US abbreviation or word; a state by code or name; an empty cell leaves them unknown', () => {
    expect(readLeadRow(['Ada', '+14155550142', 'CST', 'texas'], columns, 'US')).toMatchObject({ ok: true, lead: { timeZone: 'America/Chicago', region: 'TX' } });
    expect(readLeadRow(['Ada', '+14155550142', 'america/denver', 'NM'], columns, 'US')).toMatchObject({ ok: true, lead: { timeZone: 'America/Denver', region: 'NM' } });
    expect(readLeadRow(['Ada', '+14155550142', '', ''], columns, 'US')).toMatchObject({ ok: true, lead: { timeZone: null, region: null } });
  });

  it('refuses the row with the field and the reason for a zone or state it cannot read', () => {
    expect(readLeadRow(['Ada', '+14155550142', 'GMT-6', 'TX'], columns, 'US')).toEqual({
      ok: false,
      refusal: { field: 'timeZone', reason: '"GMT-6" is a UTC offset, not a time zone: an offset does not say when daylight saving time applies. Use a zone such as America/New_York, or EST, CST, MST, PST.' },
    });
    expect(readLeadRow(['Ada', '+14155550142', 'CST', 'Ontario'], columns, 'US')).toEqual({
      ok: false,
      refusal: { field: 'region', reason: '"Ontario" is not a US state or territory: use its name or its two-letter USPS code (e.g. TX or Texas).' },
    });
  });
});
