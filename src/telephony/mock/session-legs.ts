import { isTerminal } from '../../core/call-status.js';
import { updateCallStatus, type ActiveCallRow } from '../../db/active-calls.js';
import type { Database } from '../../db/database.js';
import type { Clock, TelephonyProvider } from '../provider.js';
import type { SessionLegs } from '../session-legs.js';

/**
 * Demo mode's session legs: the simulator has nobody to bridge and nothing to say, so a bridged
 * callee talks until their timeline ends, and every line the session lets go (after its message,
 * its voicemail drop, or its minimum ring) ends now: the simulator stops playing it and the row
 * takes the end a provider would report (history follows, HI1).
 */
export function createMockSessionLegs(deps: { readonly db: Database; readonly mock: TelephonyProvider; readonly clock: Clock }): SessionLegs {
  const { db, mock, clock } = deps;
  async function end(call: ActiveCallRow, status: 'completed' | 'voicemail_detected' | 'canceled'): Promise<void> {
    await mock.endCall(call);
    await updateCallStatus(db, call.id, { status, statusSource: 'system', endedAt: new Date(clock.now()) });
  }
  return {
    async bridge() {},
    async playSafeHarbor(call) {
      await end(call, 'completed');
    },
    async dropVoicemail(call) {
      await end(call, 'voicemail_detected');
    },
    async hangUp(call) {
      // Unanswered, the line is canceled (as Twilio reports a call ended while it rang); answered, completed.
      await end(call, isTerminal(call.status) || call.status === 'in-progress' ? 'completed' : 'canceled');
    },
  };
}
