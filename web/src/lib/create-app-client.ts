import { createClient, type SupabaseClient } from '@supabase/supabase-js';

export interface PublicConfig {
  readonly url: string;
  readonly anonKey: string;
}

function isPublicConfig(value: unknown): value is PublicConfig {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record['url'] === 'string' && typeof record['anonKey'] === 'string';
}

let publicConfig: PublicConfig | null = null;

/** The server's public settings the client was made with (the import upload posts to its URL). */
export function readPublicConfig(): PublicConfig {
  if (!publicConfig) throw new Error('readPublicConfig before createAppClient');
  return publicConfig;
}

/** The app's one data client, configured from the server's public settings (`/config.json`). */
export async function createAppClient(): Promise<SupabaseClient> {
  const response = await fetch('/config.json', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`The server answered ${response.status} for its settings.`);
  const config: unknown = await response.json();
  if (!isPublicConfig(config)) throw new Error('The server sent settings this app cannot read.');
  publicConfig = config;
  return createClient(config.url, config.anonKey, {
    auth: { persistSession: true, autoRefreshToken: true, detectSessionInUrl: false },
  });
}
