import { findAllPartyConsentState } from './compliance-data/all-party-consent-states.js';

/**
 * What a call does about recording, decided once when it is placed and kept on the call
 * (`active_calls.recording_decision`, copied to `call_logs`; the database checks the same words):
 * - `off`: recording was not asked for;
 * - `recorded`: recorded from the moment the rep is bridged (one-party consent: the rep's);
 * - `recorded_after_notice`: the callee hears the workspace's consent notice first, then the
 *   bridged call is recorded (nothing before the notice);
 * - `not_recorded_consent`: recording was asked for, but the callee is in an all-party-consent
 *   state and the workspace chose not to record there.
 */
export const RECORDING_DECISIONS = ['off', 'recorded', 'recorded_after_notice', 'not_recorded_consent'] as const;
export type RecordingDecision = (typeof RECORDING_DECISIONS)[number];

/** What a workspace does for all-party-consent states (`workspaces.recording_consent_mode`). */
export const RECORDING_CONSENT_MODES = ['notice', 'do_not_record'] as const;
export type RecordingConsentMode = (typeof RECORDING_CONSENT_MODES)[number];

export function isRecordingDecision(value: unknown): value is RecordingDecision {
  return typeof value === 'string' && (RECORDING_DECISIONS as readonly string[]).includes(value);
}

/** Whether the bridged call is recorded (the notice, when there is one, comes before). */
export function isRecorded(decision: RecordingDecision): boolean {
  return decision === 'recorded' || decision === 'recorded_after_notice';
}

export interface RecordingInput {
  /** The call asked for recording (the rep's or the list's setting). */
  readonly recordingEnabled: boolean;
  /** Where the callee may be: USPS codes of every region the gate found (number, lead). */
  readonly regions: readonly string[];
  readonly mode: RecordingConsentMode;
}

/**
 * Decides whether a call is recorded, and after what. With recording on, a callee in any
 * all-party-consent state (src/core/compliance-data/all-party-consent-states.ts) gets the
 * workspace's choice: the consent notice before recording (`notice`) or no recording
 * (`do_not_record`). Several regions: the strictest wins, so one all-party state among them is
 * enough. No region at all (a number we cannot place) is treated as all-party too: the callee
 * may be anywhere. Otherwise the call is recorded on the rep's consent, which federal law
 * allows (18 U.S.C. § 2511(2)(d)).
 *
 * `rule` names what decided: `recording_off`, `one_party_consent`, `unknown_region`, or
 * `all_party_consent:<codes>` (e.g. `all_party_consent:CA`, `all_party_consent:CA,WA`).
 */
export function decideRecording(input: RecordingInput): { decision: RecordingDecision; rule: string } {
  if (!input.recordingEnabled) return { decision: 'off', rule: 'recording_off' };
  const strict = input.mode === 'notice' ? 'recorded_after_notice' : 'not_recorded_consent';
  const regions = [...new Set(input.regions.map((region) => region.trim().toUpperCase()).filter((region) => region !== ''))];
  if (regions.length === 0) return { decision: strict, rule: 'unknown_region' };
  const allParty = regions.filter((region) => findAllPartyConsentState(region) !== undefined).sort();
  if (allParty.length > 0) return { decision: strict, rule: `all_party_consent:${allParty.join(',')}` };
  return { decision: 'recorded', rule: 'one_party_consent' };
}
