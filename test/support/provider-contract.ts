import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTerminal } from '../../src/core/call-status.js';
import { updateCallStatus, type ActiveCallRow } from '../../src/db/active-calls.js';
import type { Database } from '../../src/db/database.js';
import type { TelephonyProvider } from '../../src/telephony/provider.js';
import { waitForEnd, waitForStatus } from './calls.js';

/** One provider with what the contract needs to drive it. */
export interface ProviderHarness {
  readonly db: Database;
  readonly provider: TelephonyProvider;
  /** A fresh `dialing` row for this provider: a call that ends by itself, or one that rings until it is ended. */
  insertCall(kind: 'ends' | 'rings'): Promise<ActiveCallRow>;
  /** Resolves once the provider has acted on an ended call (for Twilio: its last callback came in). */
  settle(call: ActiveCallRow): Promise<void>;
  close(): Promise<void>;
}

/** The TelephonyProvider port's contract (STYLE 16), run by every provider. */
export function runProviderContract(name: string, makeHarness: () => Promise<ProviderHarness>): void {
  describe(`TelephonyProvider contract: ${name}`, () => {
    let harness: ProviderHarness;
    beforeAll(async () => {
      harness = await makeHarness();
    });
    afterAll(async () => {
      await harness.close();
    });

    const historyOf = (callId: string) => harness.db.sql<{ outcome: string }>`select outcome from call_logs where active_call_id = ${callId}`;

    it('placeCall takes a dialing row and answers ok with it; the call then ends on its own with one history row', async () => {
      const row = await harness.insertCall('ends');
      const placed = await harness.provider.placeCall(row);
      expect(placed.ok && placed.value.id).toBe(row.id);
      const ended = await waitForEnd(harness.db, row.id);
      expect(isTerminal(ended.status)).toBe(true);
      expect(await historyOf(row.id)).toEqual([{ outcome: ended.status }]);
    });

    it('endCall after the caller wrote the final status stops the call, and the written status stands', async () => {
      const row = await harness.insertCall('rings');
      await harness.provider.placeCall(row);
      await waitForStatus(harness.db, row.id, (status) => status === 'ringing');
      const ended = await updateCallStatus(harness.db, row.id, { status: 'canceled', statusSource: 'manual' });
      expect(ended?.status).toBe('canceled');
      await harness.provider.endCall(ended as ActiveCallRow);
      await harness.settle(row);
      const [after] = await harness.db.sql<ActiveCallRow>`select * from active_calls where id = ${row.id}`;
      expect(after).toMatchObject({ status: 'canceled', status_source: 'manual' });
      expect(await historyOf(row.id)).toEqual([{ outcome: 'canceled' }]);
    });

    it('RS1 after stop, recoverUnfinishedCalls carries an unfinished call to its end', async () => {
      const row = await harness.insertCall('ends');
      await harness.provider.placeCall(row);
      harness.provider.stop();
      await harness.provider.recoverUnfinishedCalls();
      const ended = await waitForEnd(harness.db, row.id);
      expect(await historyOf(row.id)).toEqual([{ outcome: ended.status }]);
      harness.provider.stop();
    });
  });
}
