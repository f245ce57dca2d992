import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dialer-config-'));
  const base = { DIALER_DATA_DIR: dir, JWT_SECRET: 'a-secret-that-is-long-enough-for-hs256-signing' };
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('SHUTDOWN_DELAY_SECONDS is read in seconds, 0 by default, and refused when it is not a number', async () => {
    expect((await loadConfig(base)).shutdownDelayMs).toBe(0);
    expect((await loadConfig({ ...base, SHUTDOWN_DELAY_SECONDS: '5' })).shutdownDelayMs).toBe(5_000);
    await expect(loadConfig({ ...base, SHUTDOWN_DELAY_SECONDS: 'soon' })).rejects.toThrow(/SHUTDOWN_DELAY_SECONDS/);
  });

  it('METRICS_TOKEN turns metrics on; a short one is refused', async () => {
    expect((await loadConfig(base)).metricsToken).toBeUndefined();
    expect((await loadConfig({ ...base, METRICS_TOKEN: 'a-scraper-token-of-some-length' })).metricsToken).toBe('a-scraper-token-of-some-length');
    await expect(loadConfig({ ...base, METRICS_TOKEN: 'short' })).rejects.toThrow(/METRICS_TOKEN/);
  });

  it('OPEN_SIGNUP=true lets anyone sign up; off by default; anything but true or false is refused', async () => {
    expect((await loadConfig(base)).openSignup).toBe(false);
    expect((await loadConfig({ ...base, OPEN_SIGNUP: 'true' })).openSignup).toBe(true);
    expect((await loadConfig({ ...base, OPEN_SIGNUP: 'false' })).openSignup).toBe(false);
    await expect(loadConfig({ ...base, OPEN_SIGNUP: 'yes' })).rejects.toThrow(/OPEN_SIGNUP/);
  });
});
