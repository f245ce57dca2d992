import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from '../src/api/body-limit.js';
import { applyBatch } from '../src/db/lead-import.js';
import { readAs } from '../src/db/reports.js';
import { invoke } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { useServerProcesses } from './support/server-process.js';
import { startTestServer, waitFor, type SignedUpUser, type TestServer } from './support/server.js';

interface Preview {
  importId: string;
  fileName: string | null;
  dialect: { delimiter: string; hasBom: boolean; sepLine: boolean; encoding: string; lineBreak: string };
  headers: string[];
  suggestedMapping: Record<string, string>;
  sampleRows: string[][];
  rowCount: number;
  defaultCountry: string;
}

interface ImportView {
  id: string;
  status: string;
  totalRows: number;
  processedRows: number;
  inserted: number;
  updated: number;
  skippedDuplicates: number;
  refused: number;
  failure: string | null;
}

interface ImportReport {
  import: ImportView;
  errors: { rowNumber: number; field: string; reason: string; message: string }[];
  errorCount: number;
}

async function upload(server: TestServer, user: SignedUpUser, body: string | Uint8Array, name?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/imports/leads${name ? `?name=${encodeURIComponent(name)}` : ''}`, {
    method: 'POST',
    headers: { apikey: server.tokens.anonKey, Authorization: `Bearer ${user.accessToken}`, 'Content-Type': 'text/csv' },
    body: typeof body === 'string' ? body : new Blob([body as Uint8Array<ArrayBuffer>]),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function preview(server: TestServer, user: SignedUpUser, body: string | Uint8Array, name?: string): Promise<Preview> {
  const answer = await upload(server, user, body, name);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as unknown as Preview;
}

async function report(user: SignedUpUser, importId: string): Promise<ImportReport> {
  const answer = await invoke(user.client, 'getLeadImport', { importId });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as unknown as ImportReport;
}

async function finished(user: SignedUpUser, importId: string): Promise<ImportReport> {
  return waitFor(async () => {
    const found = await report(user, importId);
    return found.import.status === 'done' || found.import.status === 'failed' ? found : undefined;
  }, 30_000, `import ${importId} to finish`);
}

/** Uploads, starts with the suggested mapping (or `mapping`), and waits for the end. */
async function importFile(server: TestServer, user: SignedUpUser, text: string, options: Record<string, unknown> = {}): Promise<ImportReport> {
  const file = await preview(server, user, text);
  const started = await invoke(user.client, 'startLeadImport', { importId: file.importId, mapping: file.suggestedMapping, duplicates: 'skip', ...options });
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  return finished(user, file.importId);
}

async function leadsOf(server: TestServer, email: string) {
  return server.db.sql<{ name: string; phone: string; extension: string | null; company: string | null; email: string | null; notes: string | null; list_id: string | null }>`
    select name, phone, extension, company, email, notes, list_id from leads where user_email = ${email} order by created_at, id`;
}

describe.each(DATABASE_KINDS)('lead imports on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('reads a German Excel export: BOM, sep=; line, semicolons, CRLF, German headers, commas in cells', async () => {
    const user = await server.signUp('de');
    await server.db.sql`update workspaces set default_country = 'DE' where id = (select workspace_id from workspace_members where user_email = ${user.email})`;
    const text = '\uFEFFsep=;\r\nVorname;Name;Telefon;Handy;Firma;E-Mail;Notizen\r\nJürgen;Müller;030 1234567;;Müller, Söhne & Co.;j@example.de;"Ruft an; später"\r\nAnna;Schmidt;;0151 23456789;ACME GmbH;;\r\n';
    const file = await preview(server, user, text, 'kontakte.csv');
    expect(file.dialect).toEqual({ delimiter: ';', hasBom: true, sepLine: true, encoding: 'utf-8', lineBreak: '\r\n' });
    expect(file.headers).toEqual(['Vorname', 'Name', 'Telefon', 'Handy', 'Firma', 'E-Mail', 'Notizen']);
    expect(file.suggestedMapping).toEqual({ firstName: 'Vorname', lastName: 'Name', phone: 'Telefon', mobile: 'Handy', company: 'Firma', email: 'E-Mail', notes: 'Notizen' });
    expect(file.rowCount).toBe(2);
    expect(file.defaultCountry).toBe('DE');
    expect(file.sampleRows[0]).toEqual(['Jürgen', 'Müller', '030 1234567', '', 'Müller, Söhne & Co.', 'j@example.de', 'Ruft an; später']);
    const started = await invoke(user.client, 'startLeadImport', { importId: file.importId, mapping: file.suggestedMapping, duplicates: 'skip' });
    expect(started.status).toBe(200);
    const done = await finished(user, file.importId);
    expect(done.import).toMatchObject({ status: 'done', totalRows: 2, processedRows: 2, inserted: 2, refused: 0 });
    expect(await leadsOf(server, user.email)).toEqual([
      { name: 'Jürgen Müller', phone: '+49301234567', extension: null, company: 'Müller, Söhne & Co.', email: 'j@example.de', notes: 'Ruft an; später', list_id: null },
      // Phone empty: the mobile column is the number.
      { name: 'Anna Schmidt', phone: '+4915123456789', extension: null, company: 'ACME GmbH', email: null, notes: null, list_id: null },
    ]);
  });

  it('detects tab, comma and pipe files, quoted delimiters and line breaks, and skips blank rows without counting them', async () => {
    const user = await server.signUp('dialect');
    const tab = await preview(server, user, 'Name\tPhone\nAda\t+1 415 555 0142\n');
    expect(tab.dialect.delimiter).toBe('\t');
    expect(tab.rowCount).toBe(1);
    const quoted = await preview(server, user, 'Name,Phone,Notes\n"Lovelace, Ada",+14155550142,"line one\nline two, with a comma"\n\n\n,,\n"Babbage, Charles",+14155550143,\n\n');
    expect(quoted.dialect).toMatchObject({ delimiter: ',', hasBom: false, sepLine: false, lineBreak: '\n' });
    expect(quoted.rowCount).toBe(2);
    expect(quoted.sampleRows).toEqual([
      ['Lovelace, Ada', '+14155550142', 'line one\nline two, with a comma'],
      ['Babbage, Charles', '+14155550143', ''],
    ]);
    const pipe = await preview(server, user, 'Name|Phone\nAda|+14155550142\nBob|+14155550143');
    expect(pipe.dialect.delimiter).toBe('|');
    // Windows-1252, as older Excel writes on Windows: "Müller" with ü as 0xFC.
    const latin = await preview(server, user, new Uint8Array([...'Name;Telefon\nM'].map((c) => c.charCodeAt(0)).concat([0xfc], [...'ller;+49301234567\n'].map((c) => c.charCodeAt(0)))));
    expect(latin.dialect.encoding).toBe('windows-1252');
    expect(latin.sampleRows[0]).toEqual(['Müller', '+49301234567']);
  });

  it('suggests mappings for Salesforce and HubSpot exports, and checks a mapping against the headers', async () => {
    const user = await server.signUp('crm');
    const salesforce = await preview(server, user, 'First Name,Last Name,Title,Account Name,Phone,Mobile,Email,Description\nAda,Lovelace,CEO,Analytical,,+14155550142,ada@example.com,Met at a fair\n');
    expect(salesforce.suggestedMapping).toEqual({ firstName: 'First Name', lastName: 'Last Name', company: 'Account Name', phone: 'Phone', mobile: 'Mobile', email: 'Email', notes: 'Description' });
    const hubspot = await preview(server, user, 'First Name,Last Name,Email,Phone Number,Mobile Phone Number,Company Name\nAda,Lovelace,ada@example.com,,+14155550142,Analytical\n');
    expect(hubspot.suggestedMapping).toEqual({ firstName: 'First Name', lastName: 'Last Name', email: 'Email', phone: 'Phone Number', mobile: 'Mobile Phone Number', company: 'Company Name' });

    const unknown = await invoke(user.client, 'startLeadImport', { importId: hubspot.importId, mapping: { name: 'name', phone: 'Phone Number' }, duplicates: 'skip' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 'invalid_request' });
    expect(String(unknown.body.message)).toContain('mapping.name: the file has no column "name" (its columns: "First Name"');
    const twice = await invoke(user.client, 'startLeadImport', { importId: hubspot.importId, mapping: { firstName: 'First Name', phone: 'Phone Number', mobile: 'Phone Number' }, duplicates: 'skip' });
    expect(String(twice.body.message)).toContain('"Phone Number" is already mapped to phone');
    const noPhone = await invoke(user.client, 'startLeadImport', { importId: hubspot.importId, mapping: { firstName: 'First Name' }, duplicates: 'skip' });
    expect(String(noPhone.body.message)).toContain('choose the column with the phone number');

    await invoke(user.client, 'startLeadImport', { importId: salesforce.importId, mapping: salesforce.suggestedMapping, duplicates: 'skip' });
    const done = await finished(user, salesforce.importId);
    expect(done.import.inserted).toBe(1);
    expect(await leadsOf(server, user.email)).toEqual([
      { name: 'Ada Lovelace', phone: '+14155550142', extension: null, company: 'Analytical', email: 'ada@example.com', notes: 'Met at a fair', list_id: null },
    ]);
  });

  it('reads numbers without + in the import\'s country, else the workspace\'s, and keeps extensions apart', async () => {
    const user = await server.signUp('country');
    const text = 'Name,Phone\nBerlin,030 1234567\nParis,01 42 68 53 00\nExt,+49 30 9876543 ext. 89\nDurchwahl,030 7654321 Durchwahl 12\n';
    const asWorkspace = await importFile(server, user, text);
    // The workspace's country is US: the French and German national numbers are refused, saying so.
    expect(asWorkspace.import).toMatchObject({ inserted: 1, refused: 3 });
    expect(asWorkspace.errors.map((e) => e.message)).toEqual([
      'Row 2: phone: "030 1234567" is not a valid phone number in the United States. Without a +, numbers are read as numbers in the United States; for another country, start with + and its country code.',
      expect.stringMatching(/^Row 3: phone: "01 42 68 53 00" is not a valid phone number/),
      expect.stringMatching(/^Row 5: phone: "030 7654321 ext\. 12" is not a valid phone number/),
    ]);
    await server.db.sql`update workspaces set default_country = 'DE' where id = (select workspace_id from workspace_members where user_email = ${user.email})`;
    const asGerman = await importFile(server, user, text);
    expect(asGerman.import).toMatchObject({ inserted: 2, skippedDuplicates: 1, refused: 1 });
    // The import's own country wins over the workspace's.
    const asFrench = await importFile(server, user, 'Name,Phone\nParis,01 42 68 53 00\n', { defaultCountry: 'fr' });
    expect(asFrench.import).toMatchObject({ inserted: 1, refused: 0 });
    const leads = await leadsOf(server, user.email);
    expect(leads.map((l) => [l.name, l.phone, l.extension])).toEqual([
      ['Ext', '+49309876543', '89'],
      ['Berlin', '+49301234567', null],
      ['Durchwahl', '+49307654321', '12'],
      ['Paris', '+33142685300', null],
    ]);
  });

  it('skips duplicates by E.164 number (against the workspace and within the file): the same file twice adds nothing', async () => {
    const admin = await server.signUp('dupes');
    await server.db.sql`insert into leads (user_email, name, phone) values (${admin.email}, 'Existing', '+14155550100')`;
    const text = 'Name,Phone,Company\nNew One,(415) 555-0101,A\nExisting Again,+1 415 555 0100,B\nNew One Twice,415.555.0101,C\nNew Two,4155550102,D\n';
    const first = await importFile(server, admin, text);
    expect(first.import).toMatchObject({ status: 'done', totalRows: 4, inserted: 2, updated: 0, skippedDuplicates: 2, refused: 0 });
    const second = await importFile(server, admin, text);
    expect(second.import).toMatchObject({ status: 'done', inserted: 0, updated: 0, skippedDuplicates: 4 });
    expect((await leadsOf(server, admin.email)).map((l) => [l.name, l.phone, l.company])).toEqual([
      ['Existing', '+14155550100', null],
      ['New One', '+14155550101', 'A'],
      ['New Two', '+14155550102', 'D'],
    ]);

    // Update: the row's non-empty cells are written; an empty cell erases nothing; unchanged rows count as skipped.
    const updated = await importFile(server, admin, 'Name,Phone,Company,Email\nExisting,+14155550100,Acme,\nNew One,+14155550101,A,\n', { duplicates: 'update' });
    expect(updated.import).toMatchObject({ inserted: 0, updated: 1, skippedDuplicates: 1 });
    const again = await importFile(server, admin, 'Name,Phone,Company,Email\nExisting,+14155550100,Acme,\nNew One,+14155550101,A,\n', { duplicates: 'update' });
    expect(again.import).toMatchObject({ inserted: 0, updated: 0, skippedDuplicates: 2 });
    expect((await leadsOf(server, admin.email)).map((l) => [l.name, l.company])).toEqual([
      ['Existing', 'Acme'],
      ['New One', 'A'],
      ['New Two', 'D'],
    ]);

    // A rep's update never changes a colleague's lead; a duplicate is one whoever owns it.
    const rep = await server.signUpInto(admin.client, 'rep');
    const byRep = await importFile(server, rep, 'Name,Phone,Company\nExisting,+14155550100,Rep Co\nMine,+14155550109,Rep Co\n', { duplicates: 'update' });
    expect(byRep.import).toMatchObject({ inserted: 1, updated: 0, skippedDuplicates: 1 });
    expect((await leadsOf(server, admin.email))[0]?.company).toBe('Acme');
  });

  it('lists every refused row with its spreadsheet row number and one reason in one style', async () => {
    const user = await server.signUp('errors');
    const text = [
      'Name,Phone,Email,Notes',
      'Good,+14155550142,,',
      '"Multi-line",+14155550143,,"first line',
      'second line"',
      '',
      'No Phone,,,',
      ',+14155550144,,',
      'Bad Email,+14155550145,not-an-email,',
      'Letters,CALL-NOW,,',
      `${'x'.repeat(201)},+14155550146,,`,
      'Two Numbers,+14155550147 +14155550148,,',
    ].join('\r\n');
    const file = await preview(server, user, text);
    expect(file.rowCount).toBe(8);
    await invoke(user.client, 'startLeadImport', { importId: file.importId, mapping: file.suggestedMapping, duplicates: 'skip' });
    const done = await finished(user, file.importId);
    expect(done.import).toMatchObject({ status: 'done', totalRows: 8, processedRows: 8, inserted: 2, refused: 6 });
    expect(done.errorCount).toBe(6);
    // Row numbers as a spreadsheet shows them: the two-line cell is one row (3), the blank row is row 4.
    expect(done.errors.map((e) => e.message)).toEqual([
      'Row 5: phone: empty.',
      'Row 6: name: empty (no name, first or last name, or company).',
      'Row 7: email: "not-an-email" is not an email address.',
      'Row 8: phone: "CALL-NOW" is not a phone number: it has no digits.',
      'Row 9: name: 201 characters, more than the 200 a name may have.',
      'Row 10: phone: "+14155550147 +14155550148" holds more than one number: enter one.',
    ]);
  });

  it("IM1 imports the callee's own time zone and state: suggested from the headers, read as IANA zone and USPS code, a bad value refuses the row naming the field; an update fills them in", async () => {
    const user = await server.signUp('place');
    const text = [
      'Name,Phone,Time Zone,State',
      'Chicago,+14155550301,CST,Texas',
      'Denver,+14155550302,America/Denver,co',
      'Unknown,+14155550303,,',
      'Offset,+14155550304,GMT-5,NY',
      'Canada,+14155550305,Eastern,Ontario',
    ].join('\n');
    const file = await preview(server, user, text);
    expect(file.suggestedMapping).toEqual({ name: 'Name', phone: 'Phone', timeZone: 'Time Zone', region: 'State' });
    await invoke(user.client, 'startLeadImport', { importId: file.importId, mapping: file.suggestedMapping, duplicates: 'skip' });
    const done = await finished(user, file.importId);
    expect(done.import).toMatchObject({ status: 'done', inserted: 3, refused: 2 });
    expect(done.errors.map((e) => e.message)).toEqual([
      'Row 5: timeZone: "GMT-5" is a UTC offset, not a time zone: an offset does not say when daylight saving time applies. Use a zone such as America/New_York, or EST, CST, MST, PST.',
      'Row 6: region: "Ontario" is not a US state or territory: use its name or its two-letter USPS code (e.g. TX or Texas).',
    ]);
    const placeOf = () => server.db.sql<{ name: string; time_zone: string | null; region: string | null }>`
      select name, time_zone, region from leads where user_email = ${user.email} order by created_at, id`;
    expect(await placeOf()).toEqual([
      { name: 'Chicago', time_zone: 'America/Chicago', region: 'TX' },
      { name: 'Denver', time_zone: 'America/Denver', region: 'CO' },
      { name: 'Unknown', time_zone: null, region: null },
    ]);
    // Updating duplicates fills in what the file says and never erases with an empty cell.
    const update = await importFile(server, user, 'Name,Phone,Timezone,State\nUnknown,+14155550303,PST,California\nDenver,+14155550302,,\n', { duplicates: 'update' });
    expect(update.import).toMatchObject({ inserted: 0, updated: 1, skippedDuplicates: 1 });
    expect(await placeOf()).toEqual([
      { name: 'Chicago', time_zone: 'America/Chicago', region: 'TX' },
      { name: 'Denver', time_zone: 'America/Denver', region: 'CO' },
      { name: 'Unknown', time_zone: 'America/Los_Angeles', region: 'CA' },
    ]);
  });

  it('refuses an .xlsx, an .xls and other binary files by name (unsupported_file)', async () => {
    const user = await server.signUp('xlsx');
    const zip = (names: string[]) => new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new TextEncoder().encode(`\x14\x00\x06\x00${names.join('\x00PK\x03\x04')}`)]);
    const xlsx = await upload(server, user, zip(['[Content_Types].xml', 'xl/workbook.xml']), 'leads.xlsx');
    expect(xlsx.status).toBe(415);
    expect(xlsx.body).toMatchObject({ code: 'unsupported_file' });
    expect(String(xlsx.body.message)).toMatch(/^"leads\.xlsx" is an Excel workbook \(\.xlsx\), not a CSV file\. Save it as CSV/);
    const xls = await upload(server, user, new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0]));
    expect(xls.body.message).toMatch(/^The file is an Excel 97–2003 workbook \(\.xls\)/);
    const pdf = await upload(server, user, '%PDF-1.7\n...');
    expect(pdf.body).toMatchObject({ code: 'unsupported_file' });
    const binary = await upload(server, user, new Uint8Array([0x41, 0x42, 0x00, 0x01, 0x02, 0x43]));
    expect(binary.body.message).toMatch(/is a binary file/);
    const [counted] = await server.db.sql<{ n: number }>`select count(*)::int as n from lead_imports where user_email = ${user.email}`;
    expect(counted?.n).toBe(0);
  });

  it('a header-only file previews as 0 rows and cannot be started (empty_import); an empty file is invalid_file', async () => {
    const user = await server.signUp('empty');
    const file = await preview(server, user, 'Name,Phone\r\n\r\n');
    expect(file.rowCount).toBe(0);
    expect(file.sampleRows).toEqual([]);
    const started = await invoke(user.client, 'startLeadImport', { importId: file.importId, mapping: file.suggestedMapping, duplicates: 'skip' });
    expect(started.status).toBe(422);
    expect(started.body).toMatchObject({ code: 'empty_import', message: 'The file has a header row and no rows of leads: nothing to import.' });
    const empty = await upload(server, user, '\n\n');
    expect(empty.status).toBe(422);
    expect(empty.body).toMatchObject({ code: 'invalid_file' });
    const unclosed = await upload(server, user, 'Name,Phone\nAda,+14155550142\n"Bob,+14155550143\nCy,+14155550144\n');
    expect(unclosed.body).toMatchObject({ code: 'invalid_file' });
    expect(String(unclosed.body.message)).toMatch(/^Row 3: a quote \(\"\) opens a cell that is never closed/);
  });

  it(`refuses a body over ${BODY_LIMIT_BYTES.imports / 1024 / 1024} MiB before reading it (payload_too_large)`, async () => {
    const user = await server.signUp('big');
    const big = await upload(server, user, new Uint8Array(BODY_LIMIT_BYTES.imports + 1).fill(0x41));
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ code: 'payload_too_large' });
  });

  it('WS1 the importer and their workspace\'s managers read an import; a rep of the workspace and another workspace do not', async () => {
    const admin = await server.signUp('owner');
    const manager = await server.signUpInto(admin.client, 'manager');
    const rep = await server.signUpInto(admin.client, 'rep');
    const otherRep = await server.signUpInto(admin.client, 'rep');
    const outsider = await server.signUp('outsider');
    const done = await importFile(server, rep, 'Name,Phone\nAda,+14155550142\nBad,12\n');
    const importId = done.import.id;
    expect((await report(manager, importId)).errors).toHaveLength(1);
    expect((await report(admin, importId)).import.inserted).toBe(1);
    // Row-level security says the same to SQL run as each member (REST does not expose these tables).
    const visible = (user: SignedUpUser) =>
      readAs(server.db, { kind: 'user', email: user.email, userId: user.userId }, async (tx) => ({
        imports: (await tx.sql<{ id: string }>`select id from lead_imports where id = ${importId}`).length,
        errors: (await tx.sql<{ row_number: number }>`select row_number from lead_import_errors where import_id = ${importId}`).map((e) => e.row_number),
      }));
    for (const stranger of [otherRep, outsider]) {
      expect(await invoke(stranger.client, 'getLeadImport', { importId })).toMatchObject({ status: 404, body: { code: 'not_found' } });
      expect(await visible(stranger)).toEqual({ imports: 0, errors: [] });
    }
    for (const reader of [rep, manager, admin]) expect(await visible(reader)).toEqual({ imports: 1, errors: [3] });
    // The file's text is the server's alone, and it is gone once the import is done.
    await expect(readAs(server.db, { kind: 'user', email: rep.email, userId: rep.userId }, (tx) => tx.sql`select content from lead_import_files`)).rejects.toThrow(/permission denied/);
    const [file] = await server.db.sql<{ n: number }>`select count(*)::int as n from lead_import_files where import_id = ${importId}`;
    expect(file?.n).toBe(0);
    // Nobody starts another's upload.
    const upload2 = await preview(server, rep, 'Name,Phone\nAda,+14155550142\n');
    expect(await invoke(manager.client, 'startLeadImport', { importId: upload2.importId, mapping: upload2.suggestedMapping, duplicates: 'skip' })).toMatchObject({ status: 404 });
  });

  it('puts the leads in a list of the workspace, and refuses a list of another workspace', async () => {
    const admin = await server.signUp('lists');
    const outsider = await server.signUp('lists-out');
    const [ownList] = await server.db.sql<{ id: string }>`insert into lead_lists (user_email, name) values (${admin.email}, 'Spring') returning id`;
    const [otherList] = await server.db.sql<{ id: string }>`insert into lead_lists (user_email, name) values (${outsider.email}, 'Theirs') returning id`;
    const file = await preview(server, admin, 'Name,Phone\nAda,+14155550142\n');
    const refused = await invoke(admin.client, 'startLeadImport', { importId: file.importId, mapping: file.suggestedMapping, duplicates: 'skip', listId: otherList?.id });
    expect(refused).toMatchObject({ status: 404, body: { code: 'not_found' } });
    await invoke(admin.client, 'startLeadImport', { importId: file.importId, mapping: file.suggestedMapping, duplicates: 'skip', listId: ownList?.id });
    expect((await finished(admin, file.importId)).import.inserted).toBe(1);
    expect((await leadsOf(server, admin.email)).map((l) => l.list_id)).toEqual([ownList?.id]);
    // Starting again answers the import as it is.
    const again = await invoke(admin.client, 'startLeadImport', { importId: file.importId, mapping: file.suggestedMapping, duplicates: 'skip' });
    expect(again.body).toMatchObject({ import: { status: 'done', inserted: 1 } });
  });

  it('RS1 an import whose server process died is resumed after its last committed batch, and adds every row once', async () => {
    const user = await server.signUp('resume');
    const rows = Array.from({ length: 2500 }, (_, i) => `Lead ${i},+1415555${String(i).padStart(4, '0')}`);
    const file = await preview(server, user, `Name,Phone\n${rows.join('\n')}\n`);
    // A process that queued it and committed one batch, then was killed.
    const deadRunner = crypto.randomUUID();
    await server.db.sql`
      update lead_imports set status = 'queued', mapping = '{"name":"Name","phone":"Phone"}', default_country = 'US', duplicates = 'skip',
        runner = ${deadRunner}::uuid, heartbeat_at = now(), started_at = now() where id = ${file.importId}`;
    const first = Array.from({ length: 1000 }, (_, i) => ({ rowNumber: i + 2, reading: { ok: true as const, lead: { name: `Lead ${i}`, phone: `+1415555${String(i).padStart(4, '0')}`, extension: null, company: null, email: null, notes: null, timeZone: null, region: null } } }));
    expect(await applyBatch(server.db, { importId: file.importId, runner: deadRunner, fromRow: 0, rows: first })).toMatchObject({ inserted: 1000 });
    // Still fresh: nobody takes it over yet.
    expect((await report(user, file.importId)).import).toMatchObject({ status: 'running', processedRows: 1000 });
    await server.db.sql`update lead_imports set heartbeat_at = now() - interval '1 minute' where id = ${file.importId}`;
    const done = await finished(user, file.importId);
    expect(done.import).toMatchObject({ status: 'done', totalRows: 2500, processedRows: 2500, inserted: 2500, skippedDuplicates: 0 });
    const [counted] = await server.db.sql<{ n: number; phones: number }>`select count(*)::int as n, count(distinct phone)::int as phones from leads where user_email = ${user.email}`;
    expect(counted).toEqual({ n: 2500, phones: 2500 });
    // The dead runner's late batch writes nothing.
    expect(await applyBatch(server.db, { importId: file.importId, runner: deadRunner, fromRow: 1000, rows: first })).toBeUndefined();
  });
});

const KILL_SECRET = 'lead-import-kill-test-secret-long-enough-to-sign';

// A real server process killed mid-import (PostgreSQL: the killed process's open batch rolls back).
describe.each(DATABASE_KINDS.filter((kind) => kind === 'postgres'))('RS1 lead import across kill -9 on %s', { timeout: 150_000 }, (kind) => {
  const { storage, start } = useServerProcesses(kind, KILL_SECRET);

  it('RS1 an import interrupted by kill -9 is resumed by the restarted server after its last committed batch: every row once', async () => {
    const store = await storage();
    const first = await start(store.env);
    const { anonKey } = (await (await fetch(`${first.url}/config.json`)).json()) as { anonKey: string };
    const email = `import-kill-${Date.now()}@example.com`;
    const signUp = await fetch(`${first.url}/auth/v1/signup`, { method: 'POST', headers: { apikey: anonKey, 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: 'correct horse battery' }) });
    const { access_token: token } = (await signUp.json()) as { access_token: string };
    const headers = { apikey: anonKey, Authorization: `Bearer ${token}` };
    const call = async (url: string, name: string, body: unknown) =>
      (await (await fetch(`${url}/functions/v1/${name}`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).json()) as { import: ImportView };

    const total = 30_000;
    const rows = Array.from({ length: total }, (_, i) => `Lead ${i},+1 212 ${200 + Math.floor(i / 10_000)} ${String(i % 10_000).padStart(4, '0')}`);
    const uploaded = await fetch(`${first.url}/imports/leads`, { method: 'POST', headers: { ...headers, 'Content-Type': 'text/csv' }, body: `Name,Phone\n${rows.join('\n')}\n` });
    const file = (await uploaded.json()) as Preview;
    expect(file.rowCount).toBe(total);
    await call(first.url, 'startLeadImport', { importId: file.importId, mapping: file.suggestedMapping, duplicates: 'skip' });
    const before = await waitFor(async () => {
      const state = (await call(first.url, 'getLeadImport', { importId: file.importId })).import;
      return state.processedRows >= 1000 ? state : undefined;
    }, 60_000, 'the first batches');
    await first.stop('SIGKILL');
    expect(before.status).toBe('running');
    expect(before.processedRows).toBeLessThan(total);

    const second = await start(store.env);
    const done = await waitFor(async () => {
      const state = (await call(second.url, 'getLeadImport', { importId: file.importId })).import;
      return state.status === 'done' || state.status === 'failed' ? state : undefined;
    }, 120_000, 'the resumed import');
    expect(done).toMatchObject({ status: 'done', totalRows: total, processedRows: total, inserted: total, skippedDuplicates: 0, refused: 0, failure: null });
    const db = await store.open();
    try {
      const [counted] = await db.sql<{ n: number; phones: number }>`select count(*)::int as n, count(distinct phone)::int as phones from leads`;
      expect(counted).toEqual({ n: total, phones: total });
    } finally {
      await db.close();
    }
  });
});
