import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from './support/calls.js';
import { DATABASE_KINDS } from './support/databases.js';
import { startTestServer, type SignedUpUser, type TestServer } from './support/server.js';

/**
 * LL1 lead lists belong to a workspace: admins and managers create, change and archive them
 * through functions; every member reads them; nothing crosses workspaces. WS-S1 a workspace's
 * settings (name, default country) are the admins'.
 */
describe.each(DATABASE_KINDS)('lead lists and workspace settings on %s', (kind) => {
  let server: TestServer;
  let admin: SignedUpUser;
  let manager: SignedUpUser;
  let rep: SignedUpUser;
  let outsider: SignedUpUser;

  beforeAll(async () => {
    server = await startTestServer(kind);
    admin = await server.signUp('admin');
    manager = await server.signUpInto(admin.client, 'manager');
    rep = await server.signUpInto(admin.client, 'rep');
    outsider = await server.signUp('outsider');
  });
  afterAll(async () => {
    await server.close();
  });

  const countRows = async () => {
    const [row] = await server.db.sql<{ lists: number; audit: number; workspaces: string }>`
      select (select count(*)::int from lead_lists) as lists, (select count(*)::int from audit_log) as audit,
        (select string_agg(name || '/' || default_country, ',' order by id) from workspaces) as workspaces`;
    return row;
  };

  it('LL1 a manager creates a list with its settings; the caller ID is read in the workspace country; the defaults are off, hang up, no message', async () => {
    const created = await invoke(manager.client, 'createLeadList', {
      name: '  Spring campaign ',
      callerId: '(415) 555-0142',
      amdEnabled: true,
      voicemailAction: 'leave',
      voicemailMessage: 'Hi, this is Ada from Acme.',
    });
    expect(created.status).toBe(200);
    expect(created.body['list']).toMatchObject({
      name: 'Spring campaign',
      callerId: '+14155550142',
      amdEnabled: true,
      recordingEnabled: false,
      voicemailAction: 'leave',
      voicemailMessage: 'Hi, this is Ada from Acme.',
      createdBy: manager.email,
      archivedAt: null,
    });
    const plain = await invoke(admin.client, 'createLeadList', { name: 'Plain' });
    expect(plain.body['list']).toMatchObject({ name: 'Plain', callerId: null, amdEnabled: false, recordingEnabled: false, voicemailAction: 'hangup', voicemailMessage: null });
  });

  it('LL1 every member of the workspace reads its lists; another workspace reads none; clients write none', async () => {
    const { data: repLists, error } = await rep.client.from('lead_lists').select('name, caller_id, workspace_id').order('name');
    expect(error).toBeNull();
    expect(repLists?.map((list) => list.name)).toEqual(['Plain', 'Spring campaign']);
    const { data: outsiderLists } = await outsider.client.from('lead_lists').select('id');
    expect(outsiderLists).toEqual([]);

    const insert = await admin.client.from('lead_lists').insert({ user_email: admin.email, name: 'By REST' });
    expect(insert.error?.code).toBe('42501');
    const update = await admin.client.from('lead_lists').update({ name: 'Renamed' }).eq('name', 'Plain');
    expect(update.error?.code).toBe('42501');
    const removed = await admin.client.from('lead_lists').delete().eq('name', 'Plain');
    expect(removed.error?.code).toBe('42501');
    expect((await rep.client.from('lead_lists').select('id')).data).toHaveLength(2);
  });

  it('LL1 a rep cannot create, change or archive a list, and writes nothing', async () => {
    const [list] = await server.db.sql<{ id: string }>`select id from lead_lists where name = 'Plain'`;
    const before = await countRows();
    for (const [name, body] of [
      ['createLeadList', { name: 'Mine' }],
      ['updateLeadList', { listId: list?.id, name: 'Mine' }],
      ['archiveLeadList', { listId: list?.id }],
    ] as const) {
      expect(await invoke(rep.client, name, body), name).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    }
    expect(await countRows()).toEqual(before);
  });

  it('LL2 a name is taken once per workspace among live lists, letter case aside; another workspace may use it; archiving frees it', async () => {
    const taken = await invoke(admin.client, 'createLeadList', { name: 'SPRING CAMPAIGN' });
    expect(taken).toMatchObject({ status: 409, body: { code: 'list_name_taken' } });
    expect((taken.body['message'] as string)).toContain('"SPRING CAMPAIGN"');
    expect((await invoke(outsider.client, 'createLeadList', { name: 'Spring campaign' })).status).toBe(200);

    const plain = await invoke(admin.client, 'createLeadList', { name: 'Rename me' });
    const renamed = await invoke(admin.client, 'updateLeadList', { listId: (plain.body['list'] as { id: string }).id, name: 'spring Campaign' });
    expect(renamed).toMatchObject({ status: 409, body: { code: 'list_name_taken' } });

    const [spring] = await server.db.sql<{ id: string }>`select l.id from lead_lists l join workspace_members m on m.workspace_id = l.workspace_id
      where m.user_email = ${admin.email} and l.name = 'Spring campaign'`;
    expect((await invoke(manager.client, 'archiveLeadList', { listId: spring?.id })).status).toBe(200);
    const again = await invoke(admin.client, 'createLeadList', { name: 'Spring campaign' });
    expect(again.status).toBe(200);
    expect((again.body['list'] as { id: string }).id).not.toBe(spring?.id);
  });

  it('LL3 updateLeadList changes only the fields given; null or empty clears the caller ID and message', async () => {
    const created = await invoke(admin.client, 'createLeadList', { name: 'Settings', callerId: '+14155550142', voicemailMessage: 'Hello', recordingEnabled: true });
    const listId = (created.body['list'] as { id: string }).id;
    const changed = await invoke(manager.client, 'updateLeadList', { listId, amdEnabled: true });
    expect(changed.body['list']).toMatchObject({ name: 'Settings', callerId: '+14155550142', voicemailMessage: 'Hello', recordingEnabled: true, amdEnabled: true });
    const cleared = await invoke(manager.client, 'updateLeadList', { listId, callerId: null, voicemailMessage: '' });
    expect(cleared.body['list']).toMatchObject({ callerId: null, voicemailMessage: null, recordingEnabled: true, amdEnabled: true });
    const [row] = await server.db.sql<{ caller_id: string | null; voicemail_message: string | null; updated_at: Date }>`select caller_id, voicemail_message, updated_at from lead_lists where id = ${listId}`;
    expect(row).toMatchObject({ caller_id: null, voicemail_message: null });
    // The same values again write nothing.
    const same = await invoke(admin.client, 'updateLeadList', { listId, callerId: '', amdEnabled: true });
    expect((same.body['list'] as { updatedAt: string }).updatedAt).toBe(row?.updated_at.toISOString());
  });

  it('LL3 another workspace\'s list is list_not_found; an archived list takes no changes; archiving is audited once', async () => {
    const created = await invoke(admin.client, 'createLeadList', { name: 'To archive' });
    const listId = (created.body['list'] as { id: string }).id;
    await server.db.sql`insert into leads (user_email, name, phone, list_id) values (${rep.email}, 'In list', '+14155550100', ${listId})`;
    for (const [name, body] of [
      ['updateLeadList', { listId, name: 'Theirs' }],
      ['archiveLeadList', { listId }],
    ] as const) {
      expect(await invoke(outsider.client, name, body), name).toMatchObject({ status: 404, body: { code: 'list_not_found' } });
    }
    const archived = await invoke(manager.client, 'archiveLeadList', { listId });
    expect(archived.status).toBe(200);
    expect((archived.body['list'] as { archivedAt: string | null }).archivedAt).not.toBeNull();
    expect((await invoke(admin.client, 'archiveLeadList', { listId })).status).toBe(200);
    const audit = await server.db.sql`select user_email, action, details from audit_log where target = ${listId}`;
    expect(audit).toEqual([{ user_email: manager.email, action: 'lead_list.archived', details: { name: 'To archive', leads: 1 } }]);
    expect(await invoke(admin.client, 'updateLeadList', { listId, amdEnabled: true })).toMatchObject({ status: 409, body: { code: 'list_archived' } });
    // Its leads keep it.
    const [lead] = await server.db.sql`select list_id from leads where name = 'In list'`;
    expect(lead).toEqual({ list_id: listId });
  });

  it('LL4 bad input is refused with a message naming the field, and writes nothing', async () => {
    const before = await countRows();
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      ['createLeadList', {}, 'invalid_request', /name/],
      ['createLeadList', { name: '' }, 'invalid_request', /name is required/],
      ['createLeadList', { name: 'x'.repeat(201) }, 'invalid_request', /at most 200/],
      ['createLeadList', { name: 'A', voicemailAction: 'beep' }, 'invalid_request', /voicemailAction is one of hangup, leave/],
      ['createLeadList', { name: 'A', amdEnabled: 'yes' }, 'invalid_request', /amdEnabled/],
      ['createLeadList', { name: 'A', colour: 'red' }, 'invalid_request', /colour/],
      ['createLeadList', { name: 'A', callerId: '12' }, 'invalid_phone_number', /^Caller ID: /],
      ['createLeadList', { name: 'A', voicemailMessage: 'x'.repeat(2001) }, 'invalid_request', /at most 2000/],
      ['updateLeadList', { listId: 'nope' }, 'invalid_request', /listId must be a list id/],
      ['updateLeadList', { name: 'A' }, 'invalid_request', /listId/],
      ['archiveLeadList', { listId: crypto.randomUUID() }, 'list_not_found', /No list of your workspace/],
      ['setWorkspaceSettings', { defaultCountry: 'XX' }, 'invalid_request', /defaultCountry is a two-letter country code/],
      ['setWorkspaceSettings', { defaultCountry: 'DEU' }, 'invalid_request', /defaultCountry/],
      ['setWorkspaceSettings', { name: '' }, 'invalid_request', /name is required/],
    ];
    for (const [name, body, code, message] of cases) {
      const answer = await invoke(admin.client, name, body);
      expect(answer.body['code'], `${name} ${JSON.stringify(body)}`).toBe(code);
      expect(answer.body['message'], `${name} ${JSON.stringify(body)}`).toMatch(message);
    }
    expect(await countRows()).toEqual(before);
  });

  it('WS-S1 an admin sets the default country (audited); getWorkspace returns it; lists read caller IDs in it; managers and reps cannot', async () => {
    const before = await countRows();
    for (const { client } of [manager, rep]) {
      expect(await invoke(client, 'setWorkspaceSettings', { defaultCountry: 'DE' })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    }
    expect(await countRows()).toEqual(before);
    expect((await invoke(rep.client, 'getWorkspace', {})).body).toMatchObject({ workspace: { defaultCountry: 'US' } });

    const set = await invoke(admin.client, 'setWorkspaceSettings', { defaultCountry: ' de ', name: 'Acme Berlin' });
    expect(set).toMatchObject({ status: 200, body: { workspace: { name: 'Acme Berlin', defaultCountry: 'DE' } } });
    expect((await invoke(rep.client, 'getWorkspace', {})).body).toMatchObject({ workspace: { name: 'Acme Berlin', defaultCountry: 'DE' } });
    const { data } = await rep.client.from('workspaces').select('default_country').single();
    expect(data).toEqual({ default_country: 'DE' });
    const [workspace] = await server.db.sql<{ id: string }>`select workspace_id as id from workspace_members where user_email = ${admin.email}`;
    const audit = await server.db.sql`select user_email, action, details from audit_log where target = ${workspace?.id ?? ''}`;
    expect(audit).toEqual([
      { user_email: admin.email, action: 'workspace.settings_changed', details: { name: { from: `${admin.email.split('@')[0]}'s workspace`, to: 'Acme Berlin' }, defaultCountry: { from: 'US', to: 'DE' } } },
    ]);
    // The same again changes nothing and records nothing.
    expect((await invoke(admin.client, 'setWorkspaceSettings', { defaultCountry: 'DE' })).status).toBe(200);
    expect(await server.db.sql`select id from audit_log where target = ${workspace?.id ?? ''}`).toHaveLength(1);

    const berlin = await invoke(manager.client, 'createLeadList', { name: 'Berlin', callerId: '030 12345678' });
    expect(berlin.body['list']).toMatchObject({ callerId: '+493012345678' });
    // The outsider's workspace still reads numbers as US ones.
    const [outsiderWorkspace] = await server.db.sql`select w.default_country from workspaces w join workspace_members m on m.workspace_id = w.id where m.user_email = ${outsider.email}`;
    expect(outsiderWorkspace).toEqual({ default_country: 'US' });
  });
});
