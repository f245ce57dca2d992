import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebAppRoutes } from './web-app-routes.js';

describe('the web app routes', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dialer-web-'));
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), '<!doctype html><title>Dialer</title>');
    await writeFile(join(root, 'assets', 'app-1234.js'), 'console.log(1)');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('serves built files, caching hashed assets for good', async () => {
    const response = await createWebAppRoutes(root).request('/assets/app-1234.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.headers.get('cache-control')).toContain('immutable');
    expect(await response.text()).toBe('console.log(1)');
  });

  it('answers every page path with index.html, never cached', async () => {
    for (const path of ['/', '/history', '/leads/']) {
      const response = await createWebAppRoutes(root).request(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toContain('<title>Dialer</title>');
    }
  });

  it('leaves API paths, missing files and paths outside the build alone (404)', async () => {
    const routes = createWebAppRoutes(root);
    for (const path of ['/rest/v1/nothing', '/auth/v1/x', '/functions/v1/x', '/webhooks/twilio/x', '/missing.js', '/..%2f..%2fetc/passwd', '/%E0%A4%A']) {
      expect((await routes.request(path)).status, path).toBe(404);
    }
  });

  it('says how to build the app when it is not built', async () => {
    const response = await createWebAppRoutes(join(root, 'nowhere')).request('/');
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build:web');
  });
});
