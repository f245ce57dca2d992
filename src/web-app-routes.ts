import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { getMimeType } from 'hono/utils/mime';

/** Where `npm run build:web` puts the web app. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../web/dist/', import.meta.url));

/** Paths that belong to the API: a miss there is a 404, never the app's page. */
const API_PREFIXES = ['/auth/', '/rest/', '/functions/', '/realtime/', '/twilio/', '/webhooks/', '/exports/', '/imports/'];

const NOT_BUILT = 'The web app is not built yet: run `npm run build:web` (or `npm start`, which builds it).';

async function readFileIfPresent(path: string): Promise<Buffer | undefined> {
  const found = await stat(path).catch(() => undefined);
  return found?.isFile() ? readFile(path) : undefined;
}

/**
 * The built web app: its files as they are, and for any other page path its index.html, so
 * an address like /history opens the app on that screen. Hashed assets are cached for good;
 * index.html never, so a new build is picked up at the next load.
 */
export function createWebAppRoutes(root: string = DEFAULT_WEB_ROOT): Hono {
  const base = resolve(root);
  const routes = new Hono();
  routes.on(['GET', 'HEAD'], '*', async (c, next) => {
    let path: string;
    try {
      path = decodeURIComponent(c.req.path);
    } catch {
      return next();
    }
    if (API_PREFIXES.some((prefix) => path.startsWith(prefix)) || path.split(/[/\\]/).includes('..')) return next();
    const file = resolve(join(base, path));
    if (file.startsWith(base + sep) && extname(file) !== '') {
      const body = await readFileIfPresent(file);
      if (!body) return next();
      const isHashed = path.startsWith('/assets/');
      return c.body(new Uint8Array(body), 200, {
        'Content-Type': getMimeType(file) ?? 'application/octet-stream',
        'Cache-Control': isHashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
    }
    if (extname(path) !== '') return next();
    const page = await readFileIfPresent(join(base, 'index.html'));
    if (!page) return c.text(NOT_BUILT, 503);
    return c.body(new Uint8Array(page), 200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' });
  });
  return routes;
}
