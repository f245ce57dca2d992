import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { insertActiveCall, type NewCall } from '../src/db/active-calls.js';
import type { Database } from '../src/db/database.js';
import { createMockProvider } from '../src/telephony/mock/mock-provider.js';
import { systemClock } from '../src/telephony/provider.js';
import { SIM_NUMBERS } from './twilio-sim/scenarios.js';
import { addMember } from './support/members.js';
import { fastConfig } from './support/calls.js';
import { createTestDatabase, DATABASE_KINDS } from './support/databases.js';
import { runProviderContract } from './support/provider-contract.js';
import { waitFor } from './support/server.js';
import { startProductionStack, twilioLogsOf } from './support/twilio.js';

async function insertCall(db: Database, call: Pick<NewCall, 'provider' | 'statusSource' | 'toNumber' | 'mockSeed' | 'mockConfig' | 'callSid'>) {
  const userEmail = `contract-${randomBytes(4).toString('hex')}@example.com`;
  await addMember(db, userEmail);
  const row = await insertActiveCall(db, {
    userEmail,
    lineNumber: 1,
    leadId: null,
    leadName: null,
    sessionId: null,
    amdEnabled: false,
    recordingEnabled: false,
    ...call,
  });
  if (!row) throw new Error('line busy');
  return row;
}

for (const kind of DATABASE_KINDS) {
  runProviderContract(`mock on ${kind}`, async () => {
    const testDb = await createTestDatabase(kind);
    const provider = createMockProvider({ db: testDb.db, clock: systemClock, logger: pino({ level: 'silent' }) });
    return {
      db: testDb.db,
      provider,
      insertCall: (kindOfCall) =>
        insertCall(testDb.db, {
          provider: 'mock',
          statusSource: 'mock',
          toNumber: SIM_NUMBERS.human,
          callSid: `MOCK${randomBytes(16).toString('hex')}`,
          mockSeed: 1,
          mockConfig: { ...fastConfig('completed', kindOfCall === 'rings' ? { ringSeconds: [60, 60] } : {}) },
        }),
      settle: async () => {},
      close: async () => {
        provider.stop();
        await testDb.dispose();
      },
    };
  });

  runProviderContract(`twilio against the local Twilio on ${kind}`, async () => {
    const stack = await startProductionStack(kind);
    const provider = stack.server.twilio;
    if (!provider) throw new Error('no Twilio provider');
    return {
      db: stack.server.db,
      provider,
      insertCall: (kindOfCall) =>
        insertCall(stack.server.db, { provider: 'twilio', statusSource: 'system', toNumber: kindOfCall === 'rings' ? SIM_NUMBERS.ringsOn : SIM_NUMBERS.human, callSid: null, mockSeed: null, mockConfig: null }),
      // Twilio reports the canceled call; that last callback must change nothing.
      settle: async (call) => {
        await waitFor(async () => (await twilioLogsOf(stack.server.db, call.id)).find((log) => log.event === 'status' && log.payload['CallStatus'] === 'canceled'));
      },
      close: () => stack.close(),
    };
  });
}
