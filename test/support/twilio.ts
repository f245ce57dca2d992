import type { SupabaseClient } from '@supabase/supabase-js';
import type { TwilioConfig } from '../../src/config.js';
import type { ActiveCallRow } from '../../src/db/active-calls.js';
import type { Database } from '../../src/db/database.js';
import { startTwilioSim, type SimCall, type TwilioSim, type TwilioSimOptions } from '../twilio-sim/twilio-sim.js';
import { invoke } from './calls.js';
import type { DatabaseKind } from './databases.js';
import { startTestServer, waitFor, type TestServer, type TestServerOptions } from './server.js';

export const SIM_API_KEY = { sid: 'SK11111111111111111111111111111111', secret: 'simulator-api-key-secret' } as const;

/** The server's Twilio configuration for a simulator; API-key auth unless `useAuthToken`. */
export function twilioConfigFor(sim: TwilioSim, overrides: Partial<TwilioConfig> = {}): TwilioConfig {
  return {
    accountSid: sim.accountSid,
    authToken: sim.authToken,
    fromNumber: sim.fromNumber,
    apiKey: SIM_API_KEY.sid,
    apiSecret: SIM_API_KEY.secret,
    apiBaseUrl: sim.url,
    ...overrides,
  };
}

export interface ProductionStack {
  readonly sim: TwilioSim;
  readonly server: TestServer;
  close(): Promise<void>;
}

/** A local Twilio and a server in production mode against it, over a fresh database. */
export async function startProductionStack(
  kind: DatabaseKind,
  options: { sim?: TwilioSimOptions; config?: Partial<TwilioConfig>; server?: Omit<NonNullable<TestServerOptions['twilio']>, 'twilio'> } = {},
): Promise<ProductionStack> {
  const sim = await startTwilioSim({ apiKey: SIM_API_KEY, ...options.sim });
  const server = await startTestServer(kind, { twilio: { twilio: twilioConfigFor(sim, options.config), ...options.server } });
  return {
    sim,
    server,
    async close() {
      await server.close();
      await sim.close();
    },
  };
}

/** A signed-in rep with demo mode off, and the settings given. */
export async function signUpProductionRep(server: TestServer, prefix: string, settings: Record<string, unknown> = {}) {
  const rep = await server.signUp(prefix);
  const saved = await invoke(rep.client, 'dialerSettings', { userEmail: rep.email, update: { use_mock_dialer: false, ...settings } });
  if (saved.status !== 200) throw new Error(`settings not saved: ${JSON.stringify(saved.body)}`);
  return rep;
}

export async function placeTwilioCall(client: SupabaseClient, body: Record<string, unknown>) {
  return invoke(client, 'twilioInitiateCall', { lineNumber: 1, enableAMD: false, enableRecording: false, ...body });
}

export async function waitForSimCall(sim: TwilioSim, callSid: string, wanted: (call: SimCall) => boolean, what = 'the simulated call'): Promise<SimCall> {
  return waitFor(async () => {
    const call = sim.calls.get(callSid);
    return call && wanted(call) ? call : undefined;
  }, 10_000, what);
}

export async function readCall(db: Database, callId: string): Promise<ActiveCallRow> {
  const [row] = await db.sql<ActiveCallRow>`select * from active_calls where id = ${callId}`;
  if (!row) throw new Error(`no call ${callId}`);
  return row;
}

export async function twilioLogsOf(db: Database, callId: string) {
  return db.sql<{ direction: string; event: string; outcome: string | null; sequence_number: number | null; call_sid: string | null; payload: Record<string, unknown> }>`
    select direction, event, outcome, sequence_number, call_sid, payload from twilio_call_logs where active_call_id = ${callId} order by id`;
}
