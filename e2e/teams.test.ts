import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { parse } from 'csv-parse/sync';
import type { BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../src/api/jwt.js';
import { startServerProcess, type ServerProcess } from '../test/support/server-process.js';
import { launchChromium, type LaunchedChromium } from './support/chromium.js';
import { newUser, openPage, screenshot, setDemoTimings, signUp, unexpectedErrors, waitForStatus, type TrackedPage } from './support/dialer-page.js';
import { dialNumber, goToScreen, invite, join as joinTeam, navLinks, waitForRole } from './support/team-page.js';

const JWT_SECRET = 'e2e-teams-secret-long-enough-for-hs256-0123456789';

/**
 * A team as a new team runs it: a server of its own with sign-up closed (OPEN_SIGNUP=false, the default of a real install), so
 * the first account is the workspace's admin and everyone else comes in by invitation.
 */
describe('Teams in Chromium', () => {
  let server: ServerProcess;
  let dataDir: string;
  let chromium: LaunchedChromium;
  const contexts: BrowserContext[] = [];

  async function newPage(): Promise<TrackedPage> {
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    return openPage(context);
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dialer-e2e-teams-'));
    server = await startServerProcess({ DIALER_DATA_DIR: dataDir, JWT_SECRET, OPEN_SIGNUP: 'false' });
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    await chromium?.close();
    await server?.stop('SIGTERM');
    // A server that never started may still be writing there; the OS cleans /tmp in the end.
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  });

  // One story: each step builds on the team the one before made.
  const admin = newUser('admin');
  const rep = newUser('rep');
  const otherRep = newUser('rep2');
  const manager = newUser('manager');
  const pages: Record<'admin' | 'rep' | 'otherRep' | 'manager', TrackedPage | undefined> = { admin: undefined, rep: undefined, otherRep: undefined, manager: undefined };
  const page = (who: keyof typeof pages) => {
    const tracked = pages[who];
    if (!tracked) throw new Error(`${who} has no page yet`);
    return tracked.page;
  };
  afterEach(() => {
    // Refusals the tests provoke (a closed sign-up, a used invitation, the floor for a rep) log 4xx lines.
    for (const tracked of Object.values(pages)) if (tracked) expect(unexpectedErrors(tracked, [/status of 4\d\d/, /WebSocket/i])).toEqual([]);
  });

  it('WS1 the first account is the admin; an uninvited sign-up is refused; invited people join as rep and manager', async () => {
    pages.admin = await newPage();
    await signUp(page('admin'), server.url, admin);
    await waitForRole(page('admin'), 'admin');
    expect(await navLinks(page('admin'))).toEqual(['Dial', 'Session', 'Leads', 'History', 'Stats', 'Reports', 'Floor', 'Compliance', 'Team', 'Settings']);

    const stranger = await newPage();
    await stranger.page.goto(server.url);
    await stranger.page.getByRole('tab', { name: 'Create account' }).click();
    await stranger.page.getByLabel('Email').fill(newUser('stranger').email);
    await stranger.page.getByLabel('Password').fill('long-enough-password');
    await stranger.page.getByRole('button', { name: 'Create account' }).click();
    const refusal = stranger.page.getByTestId('auth-error');
    await refusal.waitFor();
    await expect(refusal.getAttribute('data-code')).resolves.toBe('signup_disabled');
    await expect(refusal.textContent()).resolves.toContain('ask an admin of your team for an invitation link');
    await screenshot(stranger.page, '40-signup-needs-invitation');

    const repLink = await invite(page('admin'), 'rep');
    expect(repLink.startsWith(`${server.url}/join?token=`)).toBe(true);
    const managerLink = await invite(page('admin'), 'manager', manager.email);
    const otherRepLink = await invite(page('admin'), 'rep');
    await page('admin').getByTestId('invitation-row').nth(2).waitFor();
    await screenshot(page('admin'), '41-team-invitations');

    pages.rep = await newPage();
    await joinTeam(page('rep'), repLink, rep);
    await waitForRole(page('rep'), 'rep');
    expect(new URL(page('rep').url()).pathname).toBe('/');
    expect(await navLinks(page('rep'))).toEqual(['Dial', 'Session', 'Leads', 'History', 'Stats', 'Reports', 'Settings']);

    // The link worked once.
    await joinTeam(stranger.page, repLink, newUser('late'));
    await stranger.page.getByTestId('auth-error').filter({ hasText: 'already used' }).waitFor();
    await expect(stranger.page.getByTestId('auth-error').getAttribute('data-code')).resolves.toBe('invitation_invalid');
    await screenshot(stranger.page, '42-invitation-already-used');

    pages.manager = await newPage();
    await joinTeam(page('manager'), managerLink, manager);
    await waitForRole(page('manager'), 'manager');
    expect(await navLinks(page('manager'))).toEqual(['Dial', 'Session', 'Leads', 'History', 'Stats', 'Reports', 'Floor', 'Compliance', 'Settings']);

    pages.otherRep = await newPage();
    await joinTeam(page('otherRep'), otherRepLink, otherRep);
    await waitForRole(page('otherRep'), 'rep');

    await goToScreen(page('admin'), 'Team');
    for (const user of [admin, rep, manager, otherRep]) await page('admin').locator(`[data-testid="member-row"][data-email="${user.email}"]`).waitFor();
    await page('admin').getByText('No pending invitations.').waitFor();
  });

  it('the rep places a demo call; the manager sees it live on the floor and ends it, and the rep sees it end', async () => {
    await setDemoTimings(page('rep'), { outcome: 'completed', dialSeconds: 0.5, ringSeconds: 1, talkSeconds: 120 });
    await goToScreen(page('manager'), 'Floor');
    const repCard = page('manager').locator(`[data-testid="floor-rep"][data-email="${rep.email}"]`);
    await repCard.waitFor();
    await page('manager').getByRole('status', { name: 'Updates: live' }).waitFor();

    await dialNumber(page('rep'), '+1 415 555 0142');
    await waitForStatus(page('rep').getByTestId('dialer-status'), 'in-progress');
    const line = repCard.locator('[data-testid="floor-line"][data-call-status="in-progress"]');
    await line.waitFor({ timeout: 10_000 });
    await expect(line.textContent()).resolves.toContain('+14155550142');
    await expect(repCard.getAttribute('data-rep-state')).resolves.toBe('on_call');
    await page('rep').getByTestId('my-state').locator('[data-rep-state="on_call"]').waitFor();
    await screenshot(page('manager'), '43-floor-live-call');

    await line.getByRole('button', { name: /End call/ }).click();
    await line.getByRole('button', { name: 'Confirm end' }).click();
    await waitForStatus(page('rep').getByTestId('dialer-status'), 'completed', 15_000);
    await repCard.locator('[data-testid="floor-line"]').waitFor({ state: 'detached' });
    // A conversation ended: the rep is in wrap-up until the disposition is saved.
    await page('manager').locator(`[data-testid="floor-rep"][data-email="${rep.email}"][data-rep-state="wrap_up"]`).waitFor();
    await page('manager').getByTestId('floor-totals').getByText('Dials1', { exact: false }).waitFor();
    await screenshot(page('manager'), '44-floor-call-ended');

    await goToScreen(page('admin'), 'Team');
    await page('admin').getByRole('button', { name: 'Refresh' }).click();
    const ended = page('admin').locator('[data-testid="audit-row"][data-action="call.ended_by_manager"]');
    await ended.waitFor();
    await expect(ended.textContent()).resolves.toContain(manager.email);
    await screenshot(page('admin'), '45-team-audit');
  });

  it('a rep cannot open the floor, and sees only their own history; the manager filters history by rep', async () => {
    await setDemoTimings(page('otherRep'), { outcome: 'no-answer', dialSeconds: 0.5, ringSeconds: 0.5 });
    await dialNumber(page('otherRep'), '+1 415 555 0143');
    await waitForStatus(page('otherRep').getByTestId('dialer-status'), 'no-answer', 15_000);

    await page('rep').goto(`${server.url}/floor`);
    await page('rep').getByTestId('not-allowed').filter({ hasText: 'managers and admins only' }).waitFor();
    await expect(page('rep').locator('[data-testid="floor-rep"]').count()).resolves.toBe(0);
    await screenshot(page('rep'), '46-floor-refused-for-rep');
    await page('rep').goto(`${server.url}/compliance`);
    await page('rep').getByTestId('not-allowed').filter({ hasText: 'managers and admins only' }).waitFor();
    // A manager reads the compliance rules; only an admin changes them.
    await goToScreen(page('manager'), 'Compliance');
    await page('manager').getByRole('tab', { name: 'Rules', exact: true }).click();
    await page('manager').getByText('Only an admin changes these rules').waitFor();
    await expect(page('manager').getByRole('button', { name: 'Save compliance settings' }).count()).resolves.toBe(0);

    await goToScreen(page('rep'), 'History');
    await page('rep').getByTestId('history-row').filter({ hasText: '+14155550142' }).waitFor();
    await expect(page('rep').getByTestId('history-row').count()).resolves.toBe(1);
    await expect(page('rep').getByTestId('pager-count').getAttribute('data-total')).resolves.toBe('1');
    await expect(page('rep').getByLabel('Rep').count()).resolves.toBe(0);

    await goToScreen(page('manager'), 'History');
    await page('manager').getByTestId('history-row').nth(1).waitFor();
    await page('manager').getByLabel('Rep').selectOption(otherRep.email);
    await page('manager').getByTestId('pager-count').and(page('manager').locator('[data-total="1"]')).waitFor();
    await page('manager').getByTestId('history-row').filter({ hasText: '+14155550143' }).waitFor();
    await screenshot(page('manager'), '47-history-filtered-by-rep');
  });

  it('a rep sets themselves away and back, live on the floor; the last admin cannot demote themselves; deactivation is audited', async () => {
    await goToScreen(page('manager'), 'Floor');
    const otherRepCard = page('manager').locator(`[data-testid="floor-rep"][data-email="${otherRep.email}"]`);
    await otherRepCard.waitFor();
    await page('otherRep').getByRole('button', { name: 'Set away' }).click();
    await page('otherRep').getByTestId('my-state').locator('[data-rep-state="away"]').waitFor();
    await page('manager').locator(`[data-testid="floor-rep"][data-email="${otherRep.email}"][data-rep-state="away"]`).waitFor();
    await page('otherRep').getByRole('button', { name: 'Set available' }).click();
    await page('manager').locator(`[data-testid="floor-rep"][data-email="${otherRep.email}"][data-rep-state="available"]`).waitFor();

    const adminPage = page('admin');
    await goToScreen(adminPage, 'Team');
    await adminPage.getByLabel(`Role of ${admin.email}`).selectOption('rep');
    const refusal = adminPage.getByTestId('member-error');
    await refusal.waitFor();
    await expect(refusal.getAttribute('data-code')).resolves.toBe('last_admin');
    await expect(adminPage.getByLabel(`Role of ${admin.email}`).inputValue()).resolves.toBe('admin');
    await screenshot(adminPage, '49-team-last-admin');

    await adminPage.getByRole('button', { name: `Deactivate ${otherRep.email}` }).click();
    await adminPage.getByRole('button', { name: `Reactivate ${otherRep.email}` }).waitFor();
    await adminPage.locator('[data-testid="audit-row"][data-action="member.deactivated"]').waitFor();
    // Gone from the floor while deactivated, back when reactivated.
    await otherRepCard.waitFor({ state: 'detached' });
    await adminPage.getByRole('button', { name: `Reactivate ${otherRep.email}` }).click();
    await adminPage.locator('[data-testid="audit-row"][data-action="member.reactivated"]').waitFor();
    await otherRepCard.waitFor();
  });

  it('LS1 History pages on the server and Export CSV downloads every row', async () => {
    // 1,200 finished calls written straight into the admin's history by the server's own role.
    const tokens = await createTokenService(JWT_SECRET);
    const service = createClient(server.url, tokens.serviceRoleKey, { auth: { persistSession: false }, realtime: { transport: WebSocket as never } });
    const day = Date.now() - 60 * 60 * 1000;
    const rows = Array.from({ length: 1200 }, (_, i) => ({
      user_email: admin.email,
      outcome: i % 3 === 0 ? 'completed' : 'no-answer',
      to_number: `+1415555${String(i).padStart(4, '0')}`,
      lead_name: i % 7 === 0 ? `Lead, "quoted" ${i}` : null,
      started_at: new Date(day - i * 1000).toISOString(),
      ended_at: new Date(day - i * 1000 + 500).toISOString(),
      talk_seconds: i % 3 === 0 ? 30 : 0,
      is_mock: true,
    }));
    for (let start = 0; start < rows.length; start += 400) {
      const { error } = await service.from('call_logs').insert(rows.slice(start, start + 400));
      expect(error).toBeNull();
    }

    const adminPage = page('admin');
    await goToScreen(adminPage, 'History');
    await adminPage.getByLabel('Rep').selectOption(admin.email);
    const count = adminPage.getByTestId('pager-count');
    await adminPage.locator('[data-testid="pager-count"][data-total="1200"]').waitFor();
    await expect(count.textContent()).resolves.toBe('Rows 1–50 of 1,200');
    await expect(adminPage.getByTestId('history-row').count()).resolves.toBe(50);
    await adminPage.getByRole('button', { name: 'Next' }).click();
    await count.filter({ hasText: 'Rows 51–100 of 1,200' }).waitFor();
    await screenshot(adminPage, '48-history-paged');

    const download = adminPage.waitForEvent('download');
    await adminPage.getByRole('button', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    const records = parse(await readFile(file, 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
    expect(records).toHaveLength(1200);
    expect(new Set(records.map((record) => record['to_number'])).size).toBe(1200);
    expect(records.some((record) => record['lead_name'] === 'Lead, "quoted" 7')).toBe(true);

    // Everyone's history as the admin sees it: the seeded rows and the team's two calls.
    await adminPage.getByLabel('Rep').selectOption('');
    await adminPage.locator('[data-testid="pager-count"][data-total="1202"]').waitFor();
    const everyone = adminPage.waitForEvent('download');
    await adminPage.getByRole('button', { name: 'Export CSV' }).click();
    const all = parse(await readFile(await (await everyone).path(), 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
    expect(all).toHaveLength(1202);
  });
});
