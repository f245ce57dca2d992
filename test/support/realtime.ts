import type { RealtimeChannel, RealtimePostgresChangesPayload, SupabaseClient } from '@supabase/supabase-js';
import { waitFor } from './server.js';

export type Change = RealtimePostgresChangesPayload<Record<string, unknown>>;

export interface Subscription {
  readonly channel: RealtimeChannel;
  readonly changes: Change[];
  /** Every status the subscribe callback reported, with its error message if any. */
  readonly states: Array<{ status: string; error?: string }>;
  /** The `system` messages the server sent the channel (why it was closed, among others). */
  readonly system: Array<{ status?: string; message?: string }>;
  waitForState(status: string, timeoutMs?: number): Promise<{ status: string; error?: string }>;
  waitForChanges(count: number, timeoutMs?: number): Promise<Change[]>;
}

let channelCounter = 0;

/** Subscribes with the seed's exact code shape and records what arrives. */
export function subscribe(client: SupabaseClient, table: string, filter: string | undefined, event: '*' | 'INSERT' | 'UPDATE' | 'DELETE' = '*'): Subscription {
  const changes: Change[] = [];
  const states: Array<{ status: string; error?: string }> = [];
  const system: Array<{ status?: string; message?: string }> = [];
  const channel = client
    .channel(`test-${process.pid}-${++channelCounter}`)
    .on('system' as never, {} as never, (payload: { status?: string; message?: string }) => {
      system.push(payload);
    })
    .on('postgres_changes' as never, { event, schema: 'public', table, ...(filter === undefined ? {} : { filter }) } as never, (payload: Change) => {
      changes.push(payload);
    })
    .subscribe((status: string, error?: Error) => {
      states.push(error ? { status, error: error.message } : { status });
    });
  return {
    channel,
    changes,
    states,
    system,
    waitForState: (status, timeoutMs = 10_000) =>
      waitFor(async () => states.find((s) => s.status === status), timeoutMs, `channel state ${status} (saw ${JSON.stringify(states)})`),
    waitForChanges: (count, timeoutMs = 10_000) =>
      waitFor(async () => (changes.length >= count ? changes : undefined), timeoutMs, `${count} changes (saw ${changes.length})`),
  };
}
