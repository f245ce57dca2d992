import type { Locator, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import type { MockOutcome } from '../src/core/mock-timeline.js';
import { goTo, newUser, screenshot, setSimulatedClock, signUp, unexpectedErrors, nextWednesdayUtc } from './support/dialer-page.js';
import { runImport, uploadCsv } from './support/leads-page.js';
import { useTrackedPage } from './support/use-tracked-page.js';

/** The Settings screen's label of each outcome weight. */
const WEIGHT_LABELS: Readonly<Record<MockOutcome, string>> = {
  completed: 'Completed',
  'no-answer': 'No answer',
  busy: 'Busy',
  failed: 'Failed',
  canceled: 'Canceled',
  voicemail_detected: 'Voicemail',
};

/**
 * Demo mode with short calls of mixed outcomes (each lead's call plays by a seed of its own), and
 * the dial gate's clock at a Wednesday 19:00 UTC (inside every calling window of the numbers here).
 */
async function setDemoMix(page: Page, timings: { ringSeconds: number; talkSeconds: number; weights: Partial<Record<MockOutcome, number>> }): Promise<void> {
  await goTo(page, 'Settings');
  const demo = page.getByRole('switch', { name: /Demo mode/ });
  if (!(await demo.isChecked())) await demo.check();
  await page.getByLabel('Dialing', { exact: true }).fill('0.5');
  await page.getByLabel('Ringing, shortest').fill(String(timings.ringSeconds));
  await page.getByLabel('Ringing, longest').fill(String(timings.ringSeconds));
  await page.getByLabel('Talk, shortest').fill(String(timings.talkSeconds));
  await page.getByLabel('Talk, longest').fill(String(timings.talkSeconds));
  for (const [outcome, label] of Object.entries(WEIGHT_LABELS)) {
    await page.getByLabel(label, { exact: true }).fill(String(timings.weights[outcome as MockOutcome] ?? 0));
  }
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Settings saved.').waitFor();
  await setSimulatedClock(page, nextWednesdayUtc(19));
}

/** A list named `name` with `count` leads in it (made on the Leads screen, imported from a file). */
async function listOfLeads(page: Page, name: string, count: number, phonePrefix: string, wrapUpSeconds?: number): Promise<void> {
  await goTo(page, 'Leads');
  await page.getByRole('button', { name: 'Lists', exact: true }).click();
  const create = page.getByRole('form', { name: 'New list' });
  await create.getByLabel('List name').fill(name);
  if (wrapUpSeconds !== undefined) await create.getByLabel('Session wrap-up, seconds').fill(String(wrapUpSeconds));
  await create.getByRole('button', { name: 'Create list' }).click();
  await page.getByTestId('lead-list').filter({ hasText: name }).waitFor();
  const rows = Array.from({ length: count }, (_, i) => `Lead ${String(i + 1).padStart(2, '0')},Company ${i + 1},${phonePrefix}${String(100 + i).padStart(4, '0')},California,America/Los_Angeles`);
  const panel = await uploadCsv(page, `${name}.csv`, `Name,Company,Phone,State,Time zone\n${rows.join('\n')}\n`);
  await panel.getByLabel('Into list').selectOption({ label: name });
  expect(await runImport(page, panel)).toMatchObject({ inserted: count, refused: 0 });
  await panel.getByRole('button', { name: 'Close the import' }).click();
}

async function openSession(page: Page): Promise<Locator> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Session', exact: true }).click();
  const screen = page.getByTestId('session-screen');
  await screen.waitFor();
  return screen;
}

async function startSession(page: Page, listName: string, lines: number): Promise<Locator> {
  const screen = await openSession(page);
  const form = page.getByRole('form', { name: 'Start a session' });
  await form.getByLabel('List', { exact: true }).selectOption({ label: listName });
  await form.getByLabel('Lines').selectOption(String(lines));
  await form.getByRole('button', { name: 'Start session' }).click();
  await page.locator('[data-testid="session-status"][data-status="active"]').waitFor();
  return screen;
}

const counter = async (page: Page, name: string) => Number(await page.getByTestId(`session-counter-${name}`).getAttribute('data-value'));

/** The History screen's rows (one page of 50 holds every call here), each as its outcome and disposition. */
async function historyRows(page: Page, expected: number): Promise<{ outcome: string; disposition: string }[]> {
  await goTo(page, 'History');
  await page.locator(`[data-testid="pager-count"][data-total="${expected}"]`).waitFor({ timeout: 15_000 });
  return page.getByTestId('history-row').evaluateAll((rows) =>
    rows.map((row) => ({
      outcome: row.querySelector('[data-status]')?.getAttribute('data-status') ?? '',
      disposition: row.querySelector('[data-label="Disposition"]')?.textContent ?? '',
    })),
  );
}

describe('Power-dial sessions in Chromium (demo mode)', () => {
  const baseUrl = inject('serverUrl');
  const pages = useTrackedPage();

  it('a 3-line session over 20 leads runs to the end with a disposition at each wrap-up; the counters on screen match History; the floor shows the session', { timeout: 300_000 }, async () => {
    const { page } = pages.current;
    await signUp(page, baseUrl, newUser('session-run'));
    await setDemoMix(page, { ringSeconds: 1, talkSeconds: 2, weights: { completed: 2, 'no-answer': 1, busy: 1, voicemail_detected: 1 } });
    await listOfLeads(page, 'Twenty', 20, '+1415558');

    const screen = await startSession(page, 'Twenty', 3);
    await expect(page.getByTestId('session-list').textContent()).resolves.toContain('Twenty · 3 lines');
    await page.getByTestId('session-shortcuts').getByText('Pause the session, or resume it').waitFor();
    // The session's calls are the rep's lines: they show on the line cards as any call does.
    await screen.locator('[data-testid="session-lines"] .line-card--live').first().waitFor({ timeout: 20_000 });
    await screenshot(page, '70-session-dialing');

    // The manager's floor (this user is their workspace's admin) shows the live session beside the lines.
    await goTo(page, 'Floor');
    const onFloor = page.getByTestId('floor-session');
    await onFloor.waitFor();
    // The list's name arrives with the floor's list of lists ("A list" until then).
    await onFloor.getByTestId('floor-session-list').filter({ hasText: /^Twenty$/ }).waitFor();
    await expect(onFloor.textContent()).resolves.toContain('3 lines');
    await screenshot(page, '71-floor-session');
    await openSession(page);

    // Each wrap-up: a disposition. The first by the keys (D to the form, N to save and dial on),
    // after checking that keys typed into a field do nothing; the others with the button.
    let wrapUps = 0;
    const stopped = page.locator('[data-testid="session-stop-reason"][data-reason="queue_empty"]');
    const disposition = page.getByTestId('session-disposition');
    const deadline = Date.now() + 240_000;
    for (;;) {
      expect(Date.now()).toBeLessThan(deadline);
      await page.locator('[data-testid="session-disposition"], [data-testid="session-stop-reason"][data-reason="queue_empty"]').first().waitFor({ timeout: 60_000 });
      if (!(await disposition.isVisible())) {
        // The last call's wrap-up may show just after the stop (the rep's state is a change of its own).
        if ((await stopped.isVisible()) && !(await disposition.waitFor({ timeout: 2000 }).then(() => true, () => false))) break;
        continue;
      }
      const callId = await disposition.getAttribute('data-call-id');
      if (wrapUps === 0) {
        await screenshot(page, '72-session-wrap-up');
        const notes = page.getByTestId('session-lead').getByLabel('Lead notes');
        await notes.fill('');
        await notes.pressSequentially('php next');
        await expect(page.getByTestId('session-screen').getAttribute('data-session-status')).resolves.toBe('active');
        await expect(disposition.isVisible()).resolves.toBe(true);
        await page.getByTestId('session-lead').getByRole('button', { name: 'Save notes' }).click();
        await page.getByTestId('session-lead').getByText('Notes saved.').waitFor();
        await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
        await page.keyboard.press('d');
        const select = disposition.getByLabel('Disposition');
        await expect(select.evaluate((element) => element === document.activeElement)).resolves.toBe(true);
        await select.selectOption('interested');
        await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
        await page.keyboard.press('n');
      } else {
        await disposition.getByLabel('Disposition').selectOption(wrapUps % 2 === 0 ? 'interested' : 'not_interested');
        await disposition.getByRole('button', { name: 'Save disposition' }).click();
      }
      await page.locator(`[data-testid="session-disposition"][data-call-id="${callId}"]`).waitFor({ state: 'detached', timeout: 15_000 });
      wrapUps += 1;
    }
    await expect(stopped.textContent()).resolves.toContain('The queue is empty');
    await expect(page.getByTestId('session-status').getAttribute('data-status')).resolves.toBe('stopped');
    await expect(page.getByTestId('session-queue-remaining').getAttribute('data-value')).resolves.toBe('0');
    await screenshot(page, '73-session-queue-empty');

    const counters = {
      dialed: await counter(page, 'dialed'),
      connected: await counter(page, 'connected'),
      voicemail: await counter(page, 'voicemail'),
      abandoned: await counter(page, 'abandoned'),
      skipped: await counter(page, 'skipped'),
    };
    // Every lead was worked once: dialed or skipped.
    expect(counters.dialed + counters.skipped).toBe(20);
    expect(counters.skipped).toBe(0);
    expect(counters.connected).toBe(wrapUps);
    expect(counters.connected).toBeGreaterThan(0);

    const rows = await historyRows(page, counters.dialed);
    expect(rows).toHaveLength(counters.dialed);
    // A person answered: connected to the rep, or (a losing line) abandoned; a machine: a voicemail.
    expect(rows.filter((row) => row.outcome === 'completed')).toHaveLength(counters.connected + counters.abandoned);
    expect(rows.filter((row) => row.outcome === 'voicemail_detected')).toHaveLength(counters.voicemail);
    // A disposition on each connected call, none on the others.
    expect(rows.filter((row) => /^(Interested|Not interested)/.test(row.disposition))).toHaveLength(counters.connected);
    await screenshot(page, '74-session-history');
    expect(unexpectedErrors(pages.current)).toEqual([]);
  });

  it('pausing stops new dials: once the live lines end no call is placed until the session resumes', { timeout: 180_000 }, async () => {
    const { page } = pages.current;
    await signUp(page, baseUrl, newUser('session-pause'));
    // Nobody answers: each line rings 3 s, so the lines are busy when the pause comes.
    await setDemoMix(page, { ringSeconds: 3, talkSeconds: 2, weights: { 'no-answer': 1 } });
    await listOfLeads(page, 'Paused list', 20, '+1415559');

    const screen = await startSession(page, 'Paused list', 3);
    await screen.locator('[data-testid="session-lines"] .line-card--live').first().waitFor({ timeout: 20_000 });
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('p');
    await page.locator('[data-testid="session-status"][data-status="paused"]').waitFor();
    const reason = page.getByTestId('session-pause-reason');
    await expect(reason.getAttribute('data-reason')).resolves.toBe('rep_paused');
    await expect(reason.textContent()).resolves.toMatch(/^Paused by you/);
    // The live lines finish; then nothing new is dialed.
    await screen.locator('[data-testid="session-lines"] .line-card--live').first().waitFor({ state: 'detached', timeout: 30_000 });
    const dialedAtRest = await counter(page, 'dialed');
    expect(dialedAtRest).toBeGreaterThan(0);
    expect(dialedAtRest).toBeLessThan(20);
    await screenshot(page, '75-session-paused');
    await page.waitForTimeout(5000);
    await expect(screen.locator('[data-testid="session-lines"] .line-card--live').count()).resolves.toBe(0);
    expect(await counter(page, 'dialed')).toBe(dialedAtRest);
    const rows = await historyRows(page, dialedAtRest);
    expect(rows).toHaveLength(dialedAtRest);
    // History again after a further wait: still no new call rows.
    await page.waitForTimeout(3000);
    await page.reload();
    await page.locator(`[data-testid="pager-count"][data-total="${dialedAtRest}"]`).waitFor();

    // Resumed (P again), it dials on; stopped, it says so.
    await openSession(page);
    await page.locator('[data-testid="session-status"][data-status="paused"]').waitFor();
    await page.keyboard.press('p');
    await page.locator('[data-testid="session-status"][data-status="active"]').waitFor();
    await expect.poll(() => counter(page, 'dialed'), { timeout: 20_000 }).toBeGreaterThan(dialedAtRest);
    await page.getByRole('group', { name: 'Session controls' }).getByRole('button', { name: 'Stop' }).click();
    await page.locator('[data-testid="session-stop-reason"][data-reason="rep_stopped"]').waitFor();
    expect(unexpectedErrors(pages.current)).toEqual([]);
  });

  it('the keys on a call: notes typed on the lead during the call are saved; H hangs up the connected call; N with no disposition chosen ends the wrap-up and the session dials on', { timeout: 180_000 }, async () => {
    const { page } = pages.current;
    await signUp(page, baseUrl, newUser('session-keys'));
    // Everyone answers and talks long, on one line: the rep ends each call.
    await setDemoMix(page, { ringSeconds: 1, talkSeconds: 60, weights: { completed: 1 } });
    await listOfLeads(page, 'Keys list', 3, '+1415557');
    await startSession(page, 'Keys list', 1);

    const activity = page.getByTestId('session-activity');
    await activity.getByText('Connected to Lead 01 on line 1', { exact: false }).waitFor({ timeout: 30_000 });
    const lead = page.getByTestId('session-lead');
    await lead.getByText('On the call').waitFor();
    await expect(lead.textContent()).resolves.toContain('Company 1');
    await lead.getByLabel('Lead notes').fill('Asked for the price list');
    await lead.getByRole('button', { name: 'Save notes' }).click();
    await lead.getByText('Notes saved.').waitFor();
    await expect(lead.getByLabel('Lead notes').inputValue()).resolves.toBe('Asked for the price list');
    await screenshot(page, '76-session-connected');

    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('h');
    const disposition = page.getByTestId('session-disposition');
    await disposition.waitFor({ timeout: 15_000 });
    await activity.getByText('Wrap-up', { exact: false }).waitFor();
    // No new dial during the wrap-up.
    expect(await counter(page, 'dialed')).toBe(1);
    await page.keyboard.press('n');
    await page.getByTestId('shortcut-feedback').getByText('wrap-up ended without a disposition', { exact: false }).waitFor();
    await disposition.waitFor({ state: 'detached' });
    await activity.getByText('Connected to Lead 02', { exact: false }).waitFor({ timeout: 30_000 });
    expect(await counter(page, 'dialed')).toBe(2);
    // The first lead kept the notes typed during its call.
    await goTo(page, 'Leads');
    await page.getByTestId('lead-row').filter({ hasText: 'Lead 01' }).getByRole('link', { name: 'Lead 01' }).click();
    await page.getByText('Asked for the price list').waitFor();
    await openSession(page);
    await page.getByRole('group', { name: 'Session controls' }).getByRole('button', { name: 'Stop' }).click();
    await page.locator('[data-testid="session-stop-reason"][data-reason="rep_stopped"]').waitFor();
    expect(unexpectedErrors(pages.current)).toEqual([]);
  });

  it('a list with a wrap-up time: after a connected call the screen counts the wrap-up down and the session dials on by itself', { timeout: 120_000 }, async () => {
    const { page } = pages.current;
    await signUp(page, baseUrl, newUser('session-timer'));
    await setDemoMix(page, { ringSeconds: 1, talkSeconds: 1, weights: { completed: 1 } });
    await listOfLeads(page, 'Timed list', 2, '+1415556', 5);
    await expect(page.getByTestId('lead-list').filter({ hasText: 'Timed list' }).textContent()).resolves.toContain('wrap-up 5 s');
    await startSession(page, 'Timed list', 1);
    await expect(page.getByTestId('session-list').textContent()).resolves.toContain('wrap-up 5 s');
    const timer = page.getByTestId('session-wrap-up-timer');
    await timer.waitFor({ timeout: 30_000 });
    await expect(timer.textContent()).resolves.toMatch(/dials on in [1-5] s/);
    expect(await counter(page, 'dialed')).toBe(1);
    // Nothing pressed: the timer ends the wrap-up and the second lead is dialed.
    await expect.poll(() => counter(page, 'dialed'), { timeout: 20_000 }).toBe(2);
    await page.locator('[data-testid="session-stop-reason"][data-reason="queue_empty"]').waitFor({ timeout: 40_000 });
    expect(unexpectedErrors(pages.current)).toEqual([]);
  });
});
