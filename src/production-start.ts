import { stat } from 'node:fs/promises';
import { join } from 'node:path';

/** `NODE_ENV=production`: the web app is served as built, never rebuilt, and start-up checks what a deployment needs. */
export function isProduction(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['NODE_ENV'] === 'production';
}

/**
 * Why a production start must not go on, or undefined when it may. A production instance serves
 * `web/dist` exactly as `npm run build` left it, so a missing build is an error at start rather
 * than a page that says so at the first visit. With DATABASE_URL (the set-up for several
 * instances) each instance would otherwise sign tokens with its own generated secret, and a rep
 * sent to another instance would be signed out.
 */
export async function findProductionStartProblem({ env, webRoot }: { env: NodeJS.ProcessEnv; webRoot: string }): Promise<string | undefined> {
  const index = await stat(join(webRoot, 'index.html')).catch(() => undefined);
  if (!index?.isFile()) {
    return `The web app is not built (no ${join(webRoot, 'index.html')}): run \`npm run build\` before \`npm run start:prod\`. A production start serves the build as it is and never rebuilds it.`;
  }
  if (env['DATABASE_URL'] && !env['JWT_SECRET']) {
    return 'JWT_SECRET is not set: with DATABASE_URL every instance must sign tokens with the same secret. Set JWT_SECRET (32 or more random characters) on every instance.';
  }
  return undefined;
}
