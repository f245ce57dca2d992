import type { BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { launchChromium, type LaunchedChromium } from './chromium.js';
import { openPage, type TrackedPage } from './dialer-page.js';

/**
 * Registers the hooks that start one Chromium per file and give each test a fresh desktop-sized
 * page; read `.current` inside a test or a later `beforeEach`.
 */
export function useTrackedPage(): { readonly current: TrackedPage } {
  let chromium: LaunchedChromium | undefined;
  let context: BrowserContext | undefined;
  let tracked: TrackedPage | undefined;
  beforeAll(async () => {
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
  });
  beforeEach(async () => {
    if (!chromium) throw new Error('Chromium did not start');
    context = await chromium.browser.newContext({ viewport: { width: 1280, height: 900 } });
    tracked = await openPage(context);
  });
  afterEach(async () => {
    await context?.close();
  });
  return {
    get current() {
      if (!tracked) throw new Error('no page: useTrackedPage() is read outside a test');
      return tracked;
    },
  };
}
