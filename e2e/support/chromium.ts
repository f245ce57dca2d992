import { accessSync, constants, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { unpackBundledChromium } from './bundled-chromium.js';

/** Where distributions put their Chromium (Debian's package among them). */
const SYSTEM_CHROMIUM = '/usr/bin/chromium';

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

export interface ChosenChromium {
  readonly executablePath: string;
  /** Which Chromium this is and why it was chosen, for the run's output. */
  readonly description: string;
  /** Variables the browser needs on top of the test process's own. */
  readonly env: Readonly<Record<string, string>>;
}

let chosen: Promise<ChosenChromium> | undefined;

/**
 * `CHROMIUM_PATH` if set; else the machine's `/usr/bin/chromium` if it is there; else the
 * Chromium that came with the `@sparticuz/chromium` dev dependency. No browser is ever downloaded.
 */
export function chooseChromium(): Promise<ChosenChromium> {
  chosen ??= pickChromium();
  return chosen;
}

async function pickChromium(): Promise<ChosenChromium> {
  const override = process.env.CHROMIUM_PATH;
  if (override) {
    if (isExecutableFile(override)) return { executablePath: override, description: `CHROMIUM_PATH (${override})`, env: {} };
    // A path asked for by name and missing is a mistake to report, not a reason to use another browser.
    throw new Error(`CHROMIUM_PATH is ${override}, and there is no executable file there.`);
  }
  if (isExecutableFile(SYSTEM_CHROMIUM)) {
    return { executablePath: SYSTEM_CHROMIUM, description: `the machine's ${SYSTEM_CHROMIUM}`, env: {} };
  }
  const bundled = await unpackBundledChromium();
  return {
    executablePath: bundled.executablePath,
    description: `${bundled.source} from npm (no ${SYSTEM_CHROMIUM} here), unpacked at ${bundled.executablePath}`,
    env: bundled.env,
  };
}

/** An empty or non-executable file (how CI hides the machine's Chromium) does not count. */
function isExecutableFile(path: string): boolean {
  try {
    const stat = statSync(path);
    if (!stat.isFile() || stat.size === 0) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface LaunchedChromium {
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Starts headless Chromium; launch() gives it a fresh temporary profile, removed on close. */
export async function launchChromium(): Promise<LaunchedChromium> {
  const { executablePath, env } = await chooseChromium();
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, ...env },
  });
  return { browser, close: () => browser.close() };
}
