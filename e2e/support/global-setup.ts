import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startServerProcess } from '../../test/support/server-process.js';
import { chooseChromium, launchChromium, SCREENSHOT_DIR } from './chromium.js';

declare module 'vitest' {
  export interface ProvidedContext {
    serverUrl: string;
  }
}

/**
 * One real server (`src/main.ts`, as `npm start` runs it) on a fresh embedded Postgres for
 * the whole browser suite; every spec signs up its own users, so they share it safely. Sign-up
 * is open there (OPEN_SIGNUP), so each of those users is the admin of a workspace of their own;
 * the team specs start a server of their own with sign-up closed, as a new team runs it.
 */
export default async function setup(project: TestProject) {
  // Chosen, unpacked if need be, and started once here, before any spec: a browser that cannot
  // start fails the run at once, and the specs' workers find it ready.
  const { description } = await chooseChromium();
  const probe = await launchChromium();
  const version = probe.browser.version();
  await probe.close();
  process.stdout.write(`\nBrowser tests: Chromium ${version}: ${description}\n`);
  const dataDir = await mkdtemp(join(tmpdir(), 'dialer-e2e-'));
  const server = await startServerProcess({ DIALER_DATA_DIR: dataDir, PORT: '0', OPEN_SIGNUP: 'true' });
  project.provide('serverUrl', server.url);
  process.stdout.write(`\nBrowser tests: server at ${server.url}; screenshots go to ${SCREENSHOT_DIR}\n`);
  return async () => {
    await server.stop('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
    process.stdout.write(`\nScreenshots of each screen: ${SCREENSHOT_DIR}\n`);
  };
}
