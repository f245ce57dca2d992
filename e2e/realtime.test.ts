import type { BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from './support/chromium.js';
import { goTo, newUser, openPage, recordStatuses, screenshot, setDemoTimings, signUp, unexpectedErrors, waitForStatus } from './support/dialer-page.js';

async function dial(page: Page, number: string): Promise<void> {
  await page.getByLabel('Phone number').fill(number);
  await page.getByRole('button', { name: 'Call', exact: true }).click();
}

describe('Live updates in Chromium', () => {
  const baseUrl = inject('serverUrl');
  let chromium: LaunchedChromium;
  const contexts: BrowserContext[] = [];

  async function newContext(viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
    const context = await chromium.browser.newContext({ viewport });
    contexts.push(context);
    return context;
  }

  beforeAll(async () => {
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  it('AU1 two pages of one user: a call placed in one shows live in the other; a second user never sees it', async () => {
    const context = await newContext();
    const first = await openPage(context);
    const user = newUser('two-pages');
    await signUp(first.page, baseUrl, user);
    await setDemoTimings(first.page, { outcome: 'completed', dialSeconds: 1, ringSeconds: 1.5, talkSeconds: 4 });
    await goTo(first.page, 'Dial');
    // The same browser profile: the second page shares the signed-in session.
    const second = await openPage(context);
    await second.page.goto(baseUrl);
    await second.page.getByTestId('user-email').filter({ hasText: user.email }).waitFor({ state: 'attached' });
    await second.page.getByTestId('watch-mode').first().filter({ hasText: 'live' }).waitFor();
    // The second page follows the call on line 3's card; its own dialer stays on its line.
    const seenBySecond = await recordStatuses(second.page, 'line-3');

    const other = await openPage(await newContext({ width: 390, height: 844 }));
    await signUp(other.page, baseUrl, newUser('other'));
    await other.page.getByTestId('watch-mode').first().filter({ hasText: 'live' }).waitFor();
    const seenByOther = await recordStatuses(other.page, 'dialer-status');

    await first.page.getByRole('radio', { name: 'Line 3' }).check();
    await dial(first.page, '+1 415 555 0190');
    await waitForStatus(second.page.getByTestId('line-3'), 'in-progress');
    await second.page.getByTestId('dialer-status').getByText('Idle: no call on line 1.').waitFor();
    await second.page.getByTestId('line-3').filter({ hasText: '+14155550190' }).waitFor();
    await expect(second.page.getByTestId('line-3').getAttribute('aria-label')).resolves.toBe('Line 3: Connected');
    await screenshot(second.page, '20-second-page-sees-call');

    // Meanwhile the other user's lines, history and stats show nothing of it.
    for (const line of [1, 2, 3]) await expect(other.page.getByTestId(`line-${line}`).textContent()).resolves.toContain('No calls yet');
    await screenshot(other.page, '21-other-user-phone-width');
    await waitForStatus(second.page.getByTestId('line-3'), 'completed');
    expect(await seenBySecond()).toEqual(['dialing', 'ringing', 'in-progress', 'completed']);
    expect(await seenByOther()).toEqual([]);
    await goTo(other.page, 'History');
    await other.page.getByText('No calls yet.').waitFor();
    await goTo(other.page, 'Leads');
    await other.page.getByText('No leads yet.', { exact: false }).waitFor();
    await screenshot(other.page, '22-other-user-leads-phone-width');
    await goTo(other.page, 'Stats');
    await other.page.getByTestId('stats-tiles').getByText('Calls made0', { exact: false }).waitFor();
    await goTo(second.page, 'History');
    await second.page.getByTestId('history-row').filter({ hasText: '+14155550190' }).waitFor();

    for (const tracked of [first, second, other]) expect(unexpectedErrors(tracked)).toEqual([]);
  });

  it('RT1 with the realtime socket cut mid-call, the page says "polling" and still reaches the final status', async () => {
    const context = await newContext();
    const tracked = await openPage(context);
    const { page } = tracked;
    const user = newUser('cut');
    await signUp(page, baseUrl, user);
    await setDemoTimings(page, { outcome: 'completed', dialSeconds: 1, ringSeconds: 1, talkSeconds: 6 });

    // Route the realtime socket through the test, so it can be cut, and refused after that.
    let isCut = false;
    const open: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
    await page.routeWebSocket(/\/realtime\/v1\/websocket/, async (socket) => {
      if (isCut) return socket.close({ code: 1011, reason: 'network down' });
      open.push({ page: socket, server: socket.connectToServer() });
    });
    // Reloaded, the page opens its realtime socket through the route, still signed in.
    await goTo(page, 'Dial');
    await page.reload();
    await page.getByTestId('user-email').filter({ hasText: user.email }).waitFor();
    const dialer = page.getByTestId('dialer-status');
    const mode = page.getByRole('status', { name: 'Updates: live' }).first();
    await mode.waitFor();
    const statuses = await recordStatuses(page, 'dialer-status');
    await dial(page, '+1 415 555 0191');
    await waitForStatus(dialer, 'in-progress');

    isCut = true;
    await Promise.all(open.flatMap((socket) => [socket.page.close({ code: 1011, reason: 'network down' }), socket.server.close()]));
    await page.getByRole('status', { name: 'Updates: polling' }).first().waitFor({ timeout: 15_000 });
    await screenshot(page, '23-polling');
    await waitForStatus(dialer, 'completed', 20_000);
    await expect(page.getByRole('status', { name: 'Updates: polling' }).count()).resolves.toBeGreaterThan(0);
    expect(await statuses()).toEqual(['dialing', 'ringing', 'in-progress', 'completed']);
    await screenshot(page, '24-polling-completed');
    // The refused reconnection attempts are logged by the browser itself; nothing else may be.
    expect(unexpectedErrors(tracked, [/WebSocket/i])).toEqual([]);
  });
});
