import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { addToDoNotCall, importToDoNotCall, LOCKED_ADD_LIMIT } from '../src/db/do-not-call.js';
import { fastConfig, invoke, waitForEnd } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { startTestServer, waitFor, type SignedUpUser, type TestServer } from './support/server.js';

interface ImportAnswer {
  added: number;
  alreadyListed: number;
  invalid: number;
  errors: { row: number; input: string; message: string }[];
  format: string;
  columns: string[];
}

/**
 * DN1 a workspace keeps one do-not-call list: any member adds to it, an admin or manager removes
 * from it with a reason (audited), every change is a compliance event, and another workspace
 * never sees or changes it. DN2 a do_not_call disposition or lead status puts the number on it, so
 * no rep of the workspace dials it. DN3 files of numbers (any CSV or text, or a National Do Not
 * Call Registry download) import in batches of FILE_COMMIT_SIZE numbers, each its own transaction,
 * counted, with refused rows numbered.
 */
describe.each(DATABASE_KINDS)('the workspace do-not-call list on %s', (kind) => {
  let server: TestServer;
  let admin: SignedUpUser;
  let manager: SignedUpUser;
  let rep: SignedUpUser;
  let rep2: SignedUpUser;
  let outsider: SignedUpUser;

  beforeAll(async () => {
    server = await startTestServer(kind);
    admin = await server.signUp('dnc-admin');
    manager = await server.signUpInto(admin.client, 'manager', 'dnc-manager');
    rep = await server.signUpInto(admin.client, 'rep', 'dnc-rep');
    rep2 = await server.signUpInto(admin.client, 'rep', 'dnc-rep2');
    outsider = await server.signUp('dnc-outsider');
  });
  afterAll(async () => {
    await server?.close();
  });

  const listed = (user: SignedUpUser) =>
    server.db.sql<{ phone_number: string; user_email: string; source: string; note: string | null }>`
      select phone_number, user_email, source, note from do_not_call_numbers
      where workspace_id = (select workspace_id from workspace_members where user_email = ${user.email}) order by phone_number`;
  const eventsOf = (user: SignedUpUser, phone: string) =>
    server.db.sql<{ kind: string; user_email: string; rule: string; message: string; details: Record<string, unknown> }>`
      select kind, user_email, rule, message, details from compliance_events
      where workspace_id = (select workspace_id from workspace_members where user_email = ${user.email}) and phone_number = ${phone} order by id`;

  async function importFile(user: SignedUpUser, body: string | Uint8Array, name?: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${server.url}/imports/do-not-call${name ? `?name=${encodeURIComponent(name)}` : ''}`, {
      method: 'POST',
      headers: { apikey: server.tokens.anonKey, Authorization: `Bearer ${user.accessToken}`, 'Content-Type': 'text/csv' },
      body: typeof body === 'string' ? body : new Blob([body as Uint8Array<ArrayBuffer>]),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('DN1 any member adds numbers in any written form; invalid ones are listed; each added number is one compliance event; adding again adds nothing', async () => {
    const added = await invoke(rep.client, 'addDoNotCallNumbers', { numbers: ['(415) 555-0201', '+1 415 555 0202', 'call me', '415.555.0201'], note: 'asked by email' });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ added: 2, alreadyListed: 0, invalid: [{ input: 'call me', message: '"call me" is not a phone number: it has no digits.' }] });
    expect(await listed(rep)).toEqual([
      { phone_number: '+14155550201', user_email: rep.email, source: 'manual', note: 'asked by email' },
      { phone_number: '+14155550202', user_email: rep.email, source: 'manual', note: 'asked by email' },
    ]);
    expect(await eventsOf(rep, '+14155550201')).toEqual([
      { kind: 'dnc_added', user_email: rep.email, rule: 'manual', message: 'Added to the do-not-call list by hand.', details: { note: 'asked by email' } },
    ]);
    const again = await invoke(manager.client, 'addDoNotCallNumbers', { numbers: ['+14155550201', '+14155550202'] });
    expect(again.body).toEqual({ added: 0, alreadyListed: 2, invalid: [] });
    // The first entry is kept as it was, and no second event is written.
    expect((await listed(rep)).map((row) => row.user_email)).toEqual([rep.email, rep.email]);
    expect(await eventsOf(rep, '+14155550202')).toHaveLength(1);

    for (const body of [{ numbers: [] }, { numbers: Array.from({ length: 1001 }, () => '+14155550201') }, { numbers: ['+14155550201'], note: 'x'.repeat(501) }, { numbers: '+14155550201' }]) {
      const refused = await invoke(rep.client, 'addDoNotCallNumbers', body);
      expect([refused.status, refused.body['code']], JSON.stringify(body).slice(0, 80)).toEqual([400, 'invalid_request']);
    }
  });

  it('DN1 the list is the workspace’s: every member reads it, clients cannot write it, another workspace neither sees nor changes it', async () => {
    await invoke(rep.client, 'addDoNotCallNumbers', { numbers: ['+14155550203'] });
    const { data: seenByRep2 } = await rep2.client.from('do_not_call_numbers').select('phone_number').eq('phone_number', '+14155550203');
    expect(seenByRep2).toEqual([{ phone_number: '+14155550203' }]);
    const { data: seenByOutsider } = await outsider.client.from('do_not_call_numbers').select('phone_number');
    expect(seenByOutsider).toEqual([]);
    const { error: written } = await rep.client.from('do_not_call_numbers').insert({ phone_number: '+14155550299' });
    expect(written).not.toBeNull();

    // The same number in another workspace is that workspace's own entry.
    expect((await invoke(outsider.client, 'addDoNotCallNumbers', { numbers: ['+14155550203'] })).body).toMatchObject({ added: 1, alreadyListed: 0 });
    // Its admin removing it there leaves this workspace's entry alone, and cannot remove this workspace's others.
    expect((await invoke(outsider.client, 'removeDoNotCallNumber', { phoneNumber: '+14155550203', reason: 'their mistake' })).body).toEqual({ removed: true });
    expect((await invoke(outsider.client, 'removeDoNotCallNumber', { phoneNumber: '+14155550201', reason: 'not ours' })).body).toEqual({ removed: false });
    expect((await listed(rep)).map((row) => row.phone_number)).toEqual(expect.arrayContaining(['+14155550201', '+14155550203']));
    expect(await eventsOf(rep, '+14155550203')).toHaveLength(1);
  });

  it('DN1 an admin or manager removes a number with a reason, recorded with who and why (event and audit); a rep cannot; no reason, no removal', async () => {
    await invoke(rep.client, 'addDoNotCallNumbers', { numbers: ['+14155550204'], note: 'first call' });
    const byRep = await invoke(rep.client, 'removeDoNotCallNumber', { phoneNumber: '+14155550204', reason: 'I think it is fine' });
    expect([byRep.status, byRep.body['code']]).toEqual([403, 'forbidden']);
    for (const body of [{ phoneNumber: '+14155550204' }, { phoneNumber: '+14155550204', reason: '   ' }, { phoneNumber: '+14155550204', reason: 'x'.repeat(501) }]) {
      const refused = await invoke(manager.client, 'removeDoNotCallNumber', body);
      expect([refused.status, refused.body['code']]).toEqual([400, 'invalid_request']);
    }
    const badNumber = await invoke(manager.client, 'removeDoNotCallNumber', { phoneNumber: '12', reason: 'typo' });
    expect([badNumber.status, badNumber.body['code']]).toEqual([400, 'invalid_phone_number']);
    expect((await listed(rep)).map((row) => row.phone_number)).toContain('+14155550204');

    const removed = await invoke(manager.client, 'removeDoNotCallNumber', { phoneNumber: '(415) 555-0204', reason: 'Customer asked to be called back about the renewal' });
    expect(removed).toEqual({ status: 200, body: { removed: true } });
    expect((await listed(rep)).map((row) => row.phone_number)).not.toContain('+14155550204');
    const events = await eventsOf(rep, '+14155550204');
    expect(events.map((event) => [event.kind, event.user_email])).toEqual([['dnc_added', rep.email], ['dnc_removed', manager.email]]);
    expect(events[1]).toMatchObject({
      message: `Removed from the do-not-call list by ${manager.email}: Customer asked to be called back about the renewal`,
      details: { reason: 'Customer asked to be called back about the renewal', addedBy: rep.email, source: 'manual', note: 'first call' },
    });
    const audit = await server.db.sql<{ user_email: string; target: string; details: Record<string, unknown> }>`
      select user_email, target, details from audit_log where action = 'do_not_call.removed' and target = '+14155550204'`;
    expect(audit).toEqual([{ user_email: manager.email, target: '+14155550204', details: expect.objectContaining({ reason: 'Customer asked to be called back about the renewal', addedBy: rep.email }) }]);
    // Gone already: nothing more is written.
    expect((await invoke(admin.client, 'removeDoNotCallNumber', { phoneNumber: '+14155550204', reason: 'again' })).body).toEqual({ removed: false });
    expect(await eventsOf(rep, '+14155550204')).toHaveLength(2);
  });

  it('DN2 a rep’s do_not_call disposition puts the number on the workspace list: another rep of the workspace is refused dialing it, another workspace is not', async () => {
    const to = '+14155550205';
    const placed = await invoke(rep.client, 'mockDialerCall', { to, userEmail: rep.email, lineNumber: 1, mockConfig: fastConfig('completed', { talkSeconds: [0, 0] }) });
    expect(placed.status, JSON.stringify(placed.body)).toBe(200);
    const callId = placed.body['callId'] as string;
    await waitForEnd(server.db, callId);
    expect((await invoke(rep.client, 'saveDisposition', { callId, disposition: 'do_not_call' })).status).toBe(200);

    expect(await listed(rep)).toContainEqual({ phone_number: to, user_email: rep.email, source: 'disposition', note: null });
    const [event] = await eventsOf(rep, to);
    expect(event).toMatchObject({ kind: 'dnc_added', user_email: rep.email, rule: 'disposition' });
    const [logged] = await server.db.sql<{ call_id: string }>`select call_id from compliance_events where kind = 'dnc_added' and phone_number = ${to}`;
    expect(logged?.call_id).toBe(callId);

    const other = await invoke(rep2.client, 'mockDialerCall', { to, userEmail: rep2.email, lineNumber: 1, mockConfig: fastConfig('completed') });
    expect([other.status, other.body['code']]).toEqual([409, 'do_not_call']);
    expect(await server.db.sql`select 1 from active_calls where user_email = ${rep2.email} and to_number = ${to}`).toEqual([]);
    const elsewhere = await invoke(outsider.client, 'mockDialerCall', { to, userEmail: outsider.email, lineNumber: 1, mockConfig: fastConfig('completed', { talkSeconds: [0, 0] }) });
    expect(elsewhere.status, JSON.stringify(elsewhere.body)).toBe(200);
    await waitForEnd(server.db, elsewhere.body['callId'] as string);
  });

  it('DN2 a manager setting a rep’s lead to do_not_call lists its number for the workspace (source lead_status): another rep is refused', async () => {
    const [lead] = await server.db.sql<{ id: string }>`insert into leads (user_email, name, phone) values (${rep.email}, 'Grace', '+14155550206') returning id`;
    const set = await invoke(manager.client, 'bulkUpdateLeads', { action: 'set_status', leadIds: [lead?.id], status: 'do_not_call' });
    expect(set.body).toEqual({ updated: 1, skipped: [] });
    expect(await listed(rep)).toContainEqual({ phone_number: '+14155550206', user_email: manager.email, source: 'lead_status', note: null });
    expect((await eventsOf(rep, '+14155550206')).map((event) => [event.kind, event.rule, event.user_email])).toEqual([['dnc_added', 'lead_status', manager.email]]);
    // Even with the lead deleted, the number stays listed.
    await invoke(manager.client, 'bulkUpdateLeads', { action: 'delete', leadIds: [lead?.id] });
    const refused = await invoke(rep2.client, 'mockDialerCall', { to: '+14155550206', userEmail: rep2.email, lineNumber: 1, mockConfig: fastConfig('completed') });
    expect([refused.status, refused.body['code']]).toEqual([409, 'do_not_call']);
  });

  it('DN2 a rep cannot drop the stop of a lead that asked not to be called: its phone is not changed and it is not deleted through REST, and its number stays refused', async () => {
    const number = '+14155550207';
    const [lead] = await server.db.sql<{ id: string }>`insert into leads (user_email, name, phone) values (${rep.email}, 'Ada', ${number}) returning id`;
    const set = await invoke(manager.client, 'bulkUpdateLeads', { action: 'set_status', leadIds: [lead?.id], status: 'do_not_call' });
    expect(set.body).toEqual({ updated: 1, skipped: [] });
    // The number is taken off the list; the lead's status still stops it.
    expect((await invoke(admin.client, 'removeDoNotCallNumber', { phoneNumber: number, reason: 'Listed in error' })).body).toEqual({ removed: true });
    const renumbered = await rep.client.from('leads').update({ phone: '+14155550208' }).eq('id', lead?.id ?? '').select();
    expect(renumbered.error?.code).toBe('42501');
    const deleted = await rep.client.from('leads').delete().eq('id', lead?.id ?? '').select();
    expect(deleted.error?.code).toBe('42501');
    // Other contact fields stay the rep's to edit.
    const noted = await rep.client.from('leads').update({ notes: 'asked twice' }).eq('id', lead?.id ?? '').select('phone, notes');
    expect(noted.data).toEqual([{ phone: number, notes: 'asked twice' }]);
    const refused = await invoke(rep.client, 'mockDialerCall', { to: '(415) 555-0207', userEmail: rep.email, lineNumber: 1, mockConfig: fastConfig('completed') });
    expect([refused.status, refused.body['code'], (refused.body['details'] as Record<string, unknown>)['rule']]).toEqual([409, 'do_not_call', 'dnc:lead_status']);
    // A manager's bulk delete (the server) still removes it.
    expect((await invoke(manager.client, 'bulkUpdateLeads', { action: 'delete', leadIds: [lead?.id] })).body).toMatchObject({ updated: 1 });
  });

  it('DN2 a keypad dial refused by another rep’s do_not_call lead does not name that lead to the dialer (a rep sees only their own leads)', async () => {
    const number = '+14155550209';
    const [lead] = await server.db.sql<{ id: string }>`insert into leads (user_email, name, phone) values (${rep2.email}, 'Hedy Private', ${number}) returning id`;
    expect((await invoke(manager.client, 'bulkUpdateLeads', { action: 'set_status', leadIds: [lead?.id], status: 'do_not_call' })).body).toEqual({ updated: 1, skipped: [] });
    expect((await invoke(admin.client, 'removeDoNotCallNumber', { phoneNumber: number, reason: 'Listed in error' })).body).toEqual({ removed: true });
    const check = await invoke(rep.client, 'checkDial', { to: number });
    const refused = await invoke(rep.client, 'mockDialerCall', { to: number, userEmail: rep.email, lineNumber: 1, mockConfig: fastConfig('completed') });
    expect([refused.status, refused.body['code']]).toEqual([409, 'do_not_call']);
    expect(refused.body['message']).toBe("A lead of your workspace (another rep's) with this number asked not to be called. The call was not placed.");
    expect(JSON.stringify(check.body)).not.toContain('Hedy');
    const events = await rep.client.from('compliance_events').select('message, details').eq('phone_number', number).eq('kind', 'dial_refused');
    expect(events.data).toHaveLength(1);
    expect(JSON.stringify(events.data)).not.toContain('Hedy');
    // The lead's own rep is told which lead it is.
    const own = await invoke(rep2.client, 'checkDial', { to: number });
    expect(own.body['message']).toBe('The lead Hedy Private with this number asked not to be called.');
    // A manager sees every lead of the workspace, and is told too.
    expect((await invoke(manager.client, 'checkDial', { to: number })).body['message']).toBe('The lead Hedy Private with this number asked not to be called.');
  });

  it('DN3 imports a CSV (numbers in any column, the workspace’s country), counting added, already listed and invalid rows by row number; a re-import adds nothing', async () => {
    await invoke(rep.client, 'addDoNotCallNumbers', { numbers: ['+14155550210'] });
    const csv = ['Name;Company;Mobile number', 'Ada;Engines;(415) 555-0210', 'Bob;;415 555 0211', '', 'Cy;Looms;not known', 'Di;;', 'Ed;x;415-555-0211', 'Flo;y;+44 20 7946 0958'].join('\r\n');
    const first = await importFile(admin, csv, 'crm export.csv');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toEqual({
      added: 2,
      alreadyListed: 1,
      invalid: 2,
      errors: [
        { row: 5, input: 'not known', message: '"not known" is not a phone number: it has no digits.' },
        { row: 6, input: '', message: 'No number in "Mobile number" on this row.' },
      ],
      format: 'table',
      columns: ['Mobile number'],
    } satisfies ImportAnswer);
    expect((await listed(admin)).filter((row) => ['+14155550211', '+442079460958'].includes(row.phone_number))).toEqual([
      { phone_number: '+14155550211', user_email: admin.email, source: 'import', note: 'From the file "crm export.csv".' },
      { phone_number: '+442079460958', user_email: admin.email, source: 'import', note: 'From the file "crm export.csv".' },
    ]);
    expect((await eventsOf(admin, '+14155550211')).map((event) => [event.kind, event.rule])).toEqual([['dnc_added', 'import']]);
    const again = await importFile(manager, csv);
    expect(again.body).toMatchObject({ added: 0, alreadyListed: 3, invalid: 2 });
    expect(await eventsOf(admin, '+14155550211')).toHaveLength(1);
  });

  it('DN3 imports a National Do Not Call Registry download (area code and number, or 10 digits a line) as source registry; bad lines are counted with their rows', async () => {
    const registry = ['201,5550123', '201,5550124', '201,555012', '201,0550125', '2125550126', '201,5550123', ''].join('\n');
    const answer = await importFile(manager, registry, '201.txt');
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ format: 'registry', columns: [], added: 3, alreadyListed: 0, invalid: 2 });
    expect((answer.body as unknown as ImportAnswer).errors.map((error) => [error.row, error.input])).toEqual([[3, '201,555012'], [4, '201,0550125']]);
    expect((await listed(manager)).filter((row) => row.source === 'registry').map((row) => row.phone_number)).toEqual(['+12015550123', '+12015550124', '+12125550126']);
    expect((await eventsOf(manager, '+12125550126')).map((event) => [event.kind, event.rule, event.message])).toEqual([
      ['dnc_added', 'registry', 'Added to the do-not-call list from a National Do Not Call Registry file.'],
    ]);
    expect((await importFile(manager, registry)).body).toMatchObject({ added: 0, alreadyListed: 3, invalid: 2 });
  });

  it('DN3 a rep cannot import a file; a workbook, an empty file and a file without numbers are refused and write nothing', async () => {
    const before = await listed(admin);
    expect(await importFile(rep, '4155550230\n')).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    const xlsx = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new TextEncoder().encode('xl/workbook.xml')]);
    expect(await importFile(admin, xlsx, 'list.xlsx')).toMatchObject({ status: 415, body: { code: 'unsupported_file' } });
    expect(await importFile(admin, '')).toMatchObject({ status: 422, body: { code: 'invalid_file' } });
    expect(await importFile(admin, 'Name,Notes\nAda,hello\n')).toMatchObject({ status: 422, body: { code: 'invalid_file' } });
    expect(await listed(admin)).toEqual(before);
  });

  it('DN3 a file commits in batches, each its own transaction (PGlite runs one at a time: one transaction for a whole registry extract held every dial for minutes)', async () => {
    const numbers = ['+13035550905', '+13035550901', '+13035550904', '+13035550902', '+13035550903', '+13035550901'];
    const listed = async () => {
      const [row] = await server.db.sql<{ n: number }>`
        select count(*)::int as n from do_not_call_numbers where user_email = ${rep2.email} and phone_number like '+130355509%'`;
      return row?.n ?? 0;
    };
    // What another connection sees after each transaction of the import ends: its batch committed.
    const seenAfterEach: number[] = [];
    const watched = new Proxy(server.db, {
      get(target, property) {
        if (property === 'transaction') {
          return async <T>(work: Parameters<Database['transaction']>[0]) => {
            const result = (await target.transaction(work)) as T;
            seenAfterEach.push(await listed());
            return result;
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const first = await importToDoNotCall(watched, { userEmail: rep2.email, numbers, source: 'import' }, 2);
    expect(first).toEqual({ added: 5, alreadyListed: 0 });
    expect(seenAfterEach).toEqual([2, 4, 5]);
    const [events] = await server.db.sql<{ n: number }>`
      select count(*)::int as n from compliance_events where user_email = ${rep2.email} and kind = 'dnc_added' and phone_number like '+130355509%'`;
    expect(events?.n).toBe(5);
    expect(await importToDoNotCall(watched, { userEmail: rep2.email, numbers: [...numbers, '+13035550906'], source: 'import' }, 2)).toEqual({ added: 1, alreadyListed: 5 });
  });

  it('DN3 100,000 registry numbers import in one request, each listed once with its event; the same file again adds none', async () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `303,${String(2_000_000 + i)}`);
    const first = await importFile(outsider, `${lines.join('\r\n')}\r\n`, '303.txt');
    expect(first.status, JSON.stringify(first.body).slice(0, 200)).toBe(200);
    expect(first.body).toMatchObject({ format: 'registry', added: 100_000, alreadyListed: 0, invalid: 0, errors: [] });
    const [counted] = await server.db.sql<{ numbers: number; events: number }>`
      select (select count(*)::int from do_not_call_numbers d join workspace_members m on m.workspace_id = d.workspace_id
                where m.user_email = ${outsider.email} and d.phone_number like '+1303%') as numbers,
             (select count(*)::int from compliance_events where user_email = ${outsider.email} and kind = 'dnc_added' and phone_number like '+1303%') as events`;
    expect(counted).toEqual({ numbers: 100_000, events: 100_000 });
    const again = await importFile(outsider, lines.join('\n'));
    expect(again.body).toMatchObject({ added: 0, alreadyListed: 100_000 });
  }, 120_000);
});

// Concurrent connections: PGlite has one, and runs one transaction at a time.
describe.each(DATABASE_KINDS.filter((kind) => kind === 'postgres'))('DN4 do-not-call against a concurrent dial on %s', (kind) => {
  let server: TestServer;
  let admin: SignedUpUser;
  let rep: SignedUpUser;
  beforeAll(async () => {
    server = await startTestServer(kind);
    admin = await server.signUp('race-admin');
    rep = await server.signUpInto(admin.client, 'rep', 'race-rep');
  });
  afterAll(async () => {
    await server?.close();
  });

  const waitingGateLocks = async () => {
    const [row] = await server.db.sql<{ n: number }>`
      select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted
        and database = (select oid from pg_database where datname = current_database())`;
    return row?.n ?? 0;
  };
  const dial = (to: string) => invoke(rep.client, 'mockDialerCall', { to, userEmail: rep.email, lineNumber: 1, mockConfig: fastConfig('completed', { talkSeconds: [0, 0] }) });

  /** Adds numbers in a transaction held open until `commit` is called. */
  function holdAdd(numbers: string[]) {
    let commit!: () => void;
    const released = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let markWritten!: () => void;
    const written = new Promise<void>((resolve) => {
      markWritten = resolve;
    });
    const done = server.db.transaction(async (tx) => {
      const counts = await addToDoNotCall(tx, { userEmail: admin.email, numbers, source: 'manual' });
      markWritten();
      await released;
      return counts;
    });
    return { written, commit, done };
  }

  it('DN4 a dial of a number being added by hand waits for the add (the gate lock) and is refused once it commits: no call is written', async () => {
    const to = '+14155550240';
    const adding = holdAdd([to]);
    await adding.written;
    const dialing = dial(to);
    await waitFor(async () => ((await waitingGateLocks()) > 0 ? true : undefined), 10_000, 'the dial to wait for the dial gate lock');
    adding.commit();
    expect(await adding.done).toEqual({ added: 1, alreadyListed: 0 });
    const answer = await dialing;
    expect([answer.status, answer.body['code']]).toEqual([409, 'do_not_call']);
    expect(await server.db.sql`select 1 from active_calls where to_number = ${to}`).toEqual([]);
  });

  it(`DN4 a file's add (over ${LOCKED_ADD_LIMIT} numbers) takes no lock: a dial checked before it commits is not held up, and every dial after the commit is refused`, async () => {
    const numbers = Array.from({ length: LOCKED_ADD_LIMIT + 1 }, (_, i) => `+1415555${String(3000 + i)}`);
    const [to] = numbers;
    const adding = holdAdd(numbers);
    await adding.written;
    // Checked while the file's transaction is open: the entry is not committed, so not seen.
    const before = await dial(to ?? '');
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    expect(await waitingGateLocks()).toBe(0);
    adding.commit();
    expect(await adding.done).toEqual({ added: LOCKED_ADD_LIMIT + 1, alreadyListed: 0 });
    await waitForEnd(server.db, before.body['callId'] as string);
    const after = await dial(to ?? '');
    expect([after.status, after.body['code']]).toEqual([409, 'do_not_call']);
  });
});
