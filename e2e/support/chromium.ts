import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; the tests never download a browser of their own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function assertChromiumInstalled(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  throw new Error(
    `The browser tests need Chromium at ${CHROMIUM_PATH}, and it is not there. ` +
      'Install Debian’s package with `apt-get update && apt-get install -y chromium` ' +
      '(or point CHROMIUM_PATH at a Chromium binary), then run `npm run test:e2e` again.',
  );
}

export interface LaunchedChromium {
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Starts headless Chromium; launch() gives it a fresh temporary profile, removed on close. */
export async function launchChromium(): Promise<LaunchedChromium> {
  assertChromiumInstalled();
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  return { browser, close: () => browser.close() };
}
