import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertActiveCall } from '../src/db/active-calls.js';
import type { Database } from '../src/db/database.js';
import { evaluateDialGate, prepareDial } from '../src/db/dial-gate.js';
import { insertLead } from './support/calls.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { addMember } from './support/members.js';

const NUMBER = '+13125550177';
/** Wednesday 2026-12-09, 13:00 in Chicago: inside every window. */
const MIDDAY_MS = Date.parse('2026-12-09T19:00:00Z');

/**
 * CG1 attempts are counted from history and live calls, and the count reads only live calls out of
 * `active_calls`: that table keeps every call ever placed, and the count runs under the gate's lock
 * on every dial, so a read of its ended rows grew with the whole database's history.
 */
describe.each(DATABASE_KINDS)('CG1 the dial gate counts attempts on %s', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  let email: string;
  let leadId: string;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    db = testDb.db;
    email = (await addMember(db)).user_email;
    leadId = await insertLead(db, email, 'Ida', NUMBER);
  });
  afterAll(async () => {
    await testDb?.dispose();
  });

  const evaluate = async (on: Database = db) => {
    const prepared = await prepareDial(on, { userEmail: email, phoneNumber: NUMBER, leadId, provider: 'twilio', recordingEnabled: false, clockNowMs: MIDDAY_MS });
    if (!prepared) throw new Error('not a member');
    return evaluateDialGate(on, prepared);
  };

  it('CG1 a live call counts as an attempt, and once it ends it counts once (from its history row)', async () => {
    const call = await insertActiveCall(db, {
      userEmail: email, callSid: null, lineNumber: 1, toNumber: NUMBER, leadId, leadName: null, sessionId: null,
      provider: 'twilio', statusSource: 'system', amdEnabled: false, recordingEnabled: false, mockSeed: null, mockConfig: null,
    });
    if (!call) throw new Error('line busy');
    const live = await evaluate();
    expect([live.facts.attempts.number.lifetime, live.facts.attempts.lead?.lifetime]).toEqual([1, 1]);
    await db.sql`update active_calls set status = 'canceled', status_source = 'system' where id = ${call.id}`;
    const ended = await evaluate();
    expect([ended.facts.attempts.number.lifetime, ended.facts.attempts.lead?.lifetime]).toEqual([1, 1]);
  });

  it('CG1 the attempt count reads live calls through the index of live calls, never every call the database holds', async () => {
    const statements: { text: string; params: readonly unknown[] }[] = [];
    const watched = new Proxy(db, {
      get(target, property) {
        if (property === 'query') {
          return (text: string, params: readonly unknown[] = []) => {
            if (text.includes('from active_calls a')) statements.push({ text, params });
            return target.query(text, params);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    await evaluate(watched);
    expect(statements).toHaveLength(2); // the number's attempts and the lead's
    for (const { text, params } of statements) {
      const plan = await db.transaction(async (tx) => {
        // Small test tables would be read whole whichever way; the question is which ways exist.
        await tx.query(`select set_config('enable_seqscan', 'off', true)`);
        return tx.query<{ 'QUERY PLAN': string }>(`explain ${text}`, params);
      });
      const lines = plan.map((row) => row['QUERY PLAN']).join('\n');
      expect(lines).not.toMatch(/active_calls_pkey|Seq Scan on active_calls/);
      expect(lines).toMatch(/active_calls_(workspace|lead)_live/);
    }
  });
});
