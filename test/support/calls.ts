import type { SupabaseClient } from '@supabase/supabase-js';
import { FunctionsHttpError } from '@supabase/supabase-js';
import { isTerminal, type CallStatus } from '../../src/core/call-status.js';
import { MOCK_OUTCOMES, type MockConfigInput, type MockOutcome } from '../../src/core/mock-timeline.js';
import type { Database } from '../../src/db/database.js';
import { insertActiveCall, type ActiveCallRow, type NewCall } from '../../src/db/active-calls.js';
import { ensureMember } from './members.js';
import { waitFor } from './server.js';

/** Calls a function through supabase-js and returns its HTTP status and JSON body, error or not. */
export async function invoke(client: SupabaseClient, name: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const { data, error, response } = await client.functions.invoke(name, { body: body as Record<string, unknown> });
  if (error instanceof FunctionsHttpError) {
    const res = error.context as Response;
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  if (error) throw error;
  return { status: response?.status ?? 200, body: data as Record<string, unknown> };
}

/** A fast simulator setting that always ends in `outcome`. */
export function fastConfig(outcome: MockOutcome, extra: Partial<MockConfigInput> = {}): MockConfigInput {
  return {
    dialSeconds: 0.03,
    ringSeconds: [0.05, 0.08],
    talkSeconds: [1, 1.2],
    amdSeconds: 0.05,
    outcomeWeights: Object.fromEntries(MOCK_OUTCOMES.map((o) => [o, o === outcome ? 1 : 0])),
    ...extra,
  };
}

export async function waitForStatus(db: Database, callId: string, wanted: (status: CallStatus) => boolean, timeoutMs = 10_000): Promise<ActiveCallRow> {
  return waitFor(
    async () => {
      const [row] = await db.sql<ActiveCallRow>`select * from active_calls where id = ${callId}`;
      return row && wanted(row.status) ? row : undefined;
    },
    timeoutMs,
    `call ${callId} to reach the wanted status`,
  );
}

export const waitForEnd = (db: Database, callId: string, timeoutMs?: number) => waitForStatus(db, callId, isTerminal, timeoutMs);

export async function countRows(db: Database, table: 'active_calls' | 'call_logs' | 'leads' | 'dialer_settings' | 'user_stats'): Promise<number> {
  const [row] = await db.query<{ n: number }>(`select count(*)::int as n from ${table}`);
  return row?.n ?? 0;
}

/** A lead written by SQL; its owner becomes a member (of a workspace of their own) if they are not one yet. */
export async function insertLead(db: Database, userEmail: string, name = 'Ada Lovelace', phone = '+14155550142'): Promise<string> {
  await ensureMember(db, userEmail);
  const [row] = await db.sql<{ id: string }>`insert into leads (user_email, name, phone) values (${userEmail}, ${name}, ${phone}) returning id`;
  if (!row) throw new Error('lead insert returned nothing');
  return row.id;
}

/** A Twilio call row in `dialing`, written straight to the database as the functions would. */
export async function insertTwilioCall(db: Database, fields: Partial<NewCall> & Pick<NewCall, 'userEmail'>): Promise<ActiveCallRow> {
  await ensureMember(db, fields.userEmail);
  const call = await insertActiveCall(db, {
    callSid: `CA${crypto.randomUUID().replaceAll('-', '')}`,
    lineNumber: 1,
    toNumber: '+14155550150',
    leadId: null,
    leadName: null,
    sessionId: null,
    provider: 'twilio',
    statusSource: 'system',
    amdEnabled: false,
    recordingEnabled: false,
    mockSeed: null,
    mockConfig: null,
    ...fields,
  });
  if (!call) throw new Error('line busy');
  return call;
}
