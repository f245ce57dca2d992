import { describe, expect, it } from 'vitest';
import { ALL_PARTY_CONSENT_STATES, findAllPartyConsentState, ONE_PARTY_FOR_TELEPHONE } from './compliance-data/all-party-consent-states.js';
import { decideRecording, isRecorded, RECORDING_DECISIONS, type RecordingConsentMode, type RecordingDecision } from './recording-consent.js';

interface ConsentCase {
  readonly name: string;
  readonly recordingEnabled: boolean;
  readonly regions: readonly string[];
  readonly mode: RecordingConsentMode;
  readonly decision: RecordingDecision;
  readonly rule: string;
}

const CASES: readonly ConsentCase[] = [
  { name: 'recording off, anywhere', recordingEnabled: false, regions: ['CA'], mode: 'notice', decision: 'off', rule: 'recording_off' },
  { name: 'recording off, do_not_record mode', recordingEnabled: false, regions: ['TX'], mode: 'do_not_record', decision: 'off', rule: 'recording_off' },
  { name: 'a one-party state', recordingEnabled: true, regions: ['TX'], mode: 'notice', decision: 'recorded', rule: 'one_party_consent' },
  { name: 'a one-party state, do_not_record mode', recordingEnabled: true, regions: ['NY'], mode: 'do_not_record', decision: 'recorded', rule: 'one_party_consent' },
  { name: 'California with notice', recordingEnabled: true, regions: ['CA'], mode: 'notice', decision: 'recorded_after_notice', rule: 'all_party_consent:CA' },
  { name: 'California without recording', recordingEnabled: true, regions: ['CA'], mode: 'do_not_record', decision: 'not_recorded_consent', rule: 'all_party_consent:CA' },
  { name: 'a lower-case region', recordingEnabled: true, regions: ['wa'], mode: 'notice', decision: 'recorded_after_notice', rule: 'all_party_consent:WA' },
  { name: 'the number in a one-party state, the lead in an all-party one: the strictest', recordingEnabled: true, regions: ['TX', 'FL'], mode: 'notice', decision: 'recorded_after_notice', rule: 'all_party_consent:FL' },
  { name: 'two all-party states are both named', recordingEnabled: true, regions: ['WA', 'CA', 'CA'], mode: 'do_not_record', decision: 'not_recorded_consent', rule: 'all_party_consent:CA,WA' },
  { name: 'Oregon (one-party for telephone calls)', recordingEnabled: true, regions: ['OR'], mode: 'notice', decision: 'recorded', rule: 'one_party_consent' },
  { name: 'Michigan (debated: all-party)', recordingEnabled: true, regions: ['MI'], mode: 'notice', decision: 'recorded_after_notice', rule: 'all_party_consent:MI' },
  { name: 'Nevada (Lane v. Allstate: all-party)', recordingEnabled: true, regions: ['NV'], mode: 'do_not_record', decision: 'not_recorded_consent', rule: 'all_party_consent:NV' },
  { name: 'Delaware (conflicting statutes: all-party)', recordingEnabled: true, regions: ['DE'], mode: 'notice', decision: 'recorded_after_notice', rule: 'all_party_consent:DE' },
  { name: 'no region known: as strict as all-party', recordingEnabled: true, regions: [], mode: 'notice', decision: 'recorded_after_notice', rule: 'unknown_region' },
  { name: 'no region known, do_not_record mode', recordingEnabled: true, regions: [' '], mode: 'do_not_record', decision: 'not_recorded_consent', rule: 'unknown_region' },
];

describe('decideRecording: the consent decision table', () => {
  it.each(CASES)('$name → $decision ($rule)', ({ recordingEnabled, regions, mode, decision, rule }) => {
    expect(decideRecording({ recordingEnabled, regions, mode })).toEqual({ decision, rule });
  });

  it('every all-party state of the table, alone, is recorded after the notice and named', () => {
    for (const state of ALL_PARTY_CONSENT_STATES) {
      expect(decideRecording({ recordingEnabled: true, regions: [state.region], mode: 'notice' })).toEqual({ decision: 'recorded_after_notice', rule: `all_party_consent:${state.region}` });
    }
  });

  it('only the recorded decisions record the bridged call', () => {
    expect(RECORDING_DECISIONS.filter(isRecorded)).toEqual(['recorded', 'recorded_after_notice']);
  });
});

describe('the all-party-consent table', () => {
  it('holds the thirteen states, each once, each with a source', () => {
    expect(ALL_PARTY_CONSENT_STATES.map((state) => state.region).sort()).toEqual(['CA', 'CT', 'DE', 'FL', 'IL', 'MA', 'MD', 'MI', 'MT', 'NH', 'NV', 'PA', 'WA']);
    for (const state of ALL_PARTY_CONSENT_STATES) {
      expect(state.region).toMatch(/^[A-Z]{2}$/);
      expect(state.source.length).toBeGreaterThan(10);
    }
  });

  it('the debated states say so, and the states decided one-party are not in the table', () => {
    expect(ALL_PARTY_CONSENT_STATES.filter((state) => state.isDebated).map((state) => state.region).sort()).toEqual(['DE', 'MI', 'NV']);
    for (const state of ONE_PARTY_FOR_TELEPHONE) expect(findAllPartyConsentState(state.region)).toBeUndefined();
    expect(findAllPartyConsentState(' ca ')?.name).toBe('California');
  });
});
