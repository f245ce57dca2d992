import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { createTokenService } from '../../src/api/jwt.js';
import { MOCK_OUTCOMES, type MockConfigInput, type MockOutcome } from '../../src/core/mock-timeline.js';
import type { Database } from '../../src/db/database.js';
import { invoke } from './calls.js';
import { addMember } from './members.js';

/**
 * Power-dial sessions on real server processes (issue 14): reps written by SQL into one workspace,
 * each with a client holding the access token sign-in would issue (signed with the processes'
 * JWT secret), a shared list whose leads have ids drawn from a seed (so each lead's demo call,
 * seeded by its id, plays the same way in every run), and the rep's part over HTTP.
 */

export interface SessionRep {
  readonly email: string;
  /** A client of the given server, as the rep's browser. */
  clientOf(url: string): SupabaseClient;
}

/** A demo timeline of a few seconds per call, with the outcomes weighted as given. */
export function shortDemoConfig(weights: Partial<Record<MockOutcome, number>>, extra: Partial<MockConfigInput> = {}): MockConfigInput {
  return {
    dialSeconds: 0.2,
    ringSeconds: [0.5, 3],
    talkSeconds: [1, 3],
    amdSeconds: 0.5,
    outcomeWeights: Object.fromEntries(MOCK_OUTCOMES.map((outcome) => [outcome, weights[outcome] ?? 0])),
    ...extra,
  };
}

/** Reps of one new workspace, in demo mode with `config`. */
export async function addSessionReps(db: Database, jwtSecret: string, count: number, config: MockConfigInput): Promise<{ workspaceId: string; adminEmail: string; reps: SessionRep[] }> {
  const tokens = await createTokenService(jwtSecret);
  const admin = await addMember(db);
  const reps: SessionRep[] = [];
  for (let i = 0; i < count; i++) {
    const member = await addMember(db, undefined, { workspaceId: admin.workspace_id, role: 'rep' });
    await db.sql`
      insert into dialer_settings (user_email, use_mock_dialer, mock_config) values (${member.user_email}, true, ${JSON.stringify(config)}::text::jsonb)
      on conflict (user_email) do update set use_mock_dialer = true, mock_config = excluded.mock_config`;
    const { token } = await tokens.signAccessToken({ id: member.user_id, email: member.user_email, sessionId: crypto.randomUUID() });
    reps.push({
      email: member.user_email,
      clientOf: (url) =>
        createClient(url, tokens.anonKey, {
          auth: { persistSession: false, autoRefreshToken: false },
          accessToken: async () => token,
          realtime: { transport: WebSocket as never },
        }),
    });
  }
  return { workspaceId: admin.workspace_id, adminEmail: admin.user_email, reps };
}

/** A lead id drawn from the seed: the i-th lead of a seed's list is the same lead in every run. */
export function seededLeadId(seed: number, index: number): string {
  const hex = (value: number, width: number) => (value >>> 0).toString(16).padStart(width, '0').slice(-width);
  return `${hex(seed, 8)}-0000-4000-8000-${hex(index, 12)}`;
}

/** A list of `count` leads with seeded ids, in a fixed order; `wrapUpSeconds` sets the list's wrap-up timer. */
export async function addSeededList(db: Database, ownerEmail: string, seed: number, count: number, wrapUpSeconds: number | null): Promise<{ listId: string; leadIds: string[] }> {
  const [list] = await db.sql<{ id: string }>`
    insert into lead_lists (user_email, name, wrap_up_seconds) values (${ownerEmail}, ${`Session list ${seed}`}, ${wrapUpSeconds}::integer) returning id`;
  if (!list) throw new Error('list insert returned nothing');
  const leadIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = seededLeadId(seed, i);
    await db.sql`
      insert into leads (id, user_email, name, phone, list_id, created_at)
      values (${id}, ${ownerEmail}, ${`Lead ${i}`}, ${`+1415${String(seed % 1000).padStart(3, '0')}${String(i).padStart(4, '0')}`}, ${list.id},
        ${new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString()}::timestamptz)`;
    leadIds.push(id);
  }
  return { listId: list.id, leadIds };
}

/** Starts the rep's session over HTTP; its id. */
export async function startSessionOver(client: SupabaseClient, listId: string, lines: number): Promise<string> {
  const started = await invoke(client, 'startDialerSession', { listId, lines });
  if (started.status !== 200) throw new Error(`startDialerSession answered ${started.status}: ${JSON.stringify(started.body)}`);
  return (started.body['session'] as { id: string }).id;
}

/**
 * The rep's part while a session runs: saves the disposition of the rep's last answered call
 * when they are in wrap-up. Returns whether one was saved.
 */
export async function saveWrapUp(db: Database, client: SupabaseClient, email: string): Promise<boolean> {
  const [state] = await db.sql<{ is_wrap_up: boolean }>`select is_wrap_up from rep_states where user_email = ${email}`;
  if (!state?.is_wrap_up) return false;
  const [last] = await db.sql<{ active_call_id: string }>`
    select active_call_id from call_logs where user_email = ${email} and answered_at is not null order by ended_at desc limit 1`;
  if (!last) return false;
  const saved = await invoke(client, 'saveDisposition', { callId: last.active_call_id, disposition: 'other' });
  return saved.status === 200;
}
