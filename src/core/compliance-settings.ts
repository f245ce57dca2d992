import type { RecordingConsentMode } from './recording-consent.js';

/**
 * A workspace's compliance settings as `getComplianceSettings` answers them and the web app shows
 * them (camelCase; times 'HH:MM' in the callee's local time; a cap of null is no cap). Stored
 * on `workspaces` (migration 0018, which says each rule's source and default).
 */
export interface ComplianceSettings {
  readonly callingWindowStart: string;
  readonly callingWindowEnd: string;
  readonly maxAttemptsLifetime: number | null;
  readonly maxAttemptsPerDay: number | null;
  readonly maxAttemptsPer24h: number | null;
  /** 0 to 3 (47 CFR 64.1200(a)(7)(i)), two decimals. */
  readonly abandonmentLimitPercent: number;
  readonly recordingConsentMode: RecordingConsentMode;
  readonly consentNotice: string;
  readonly safeHarborCallerName: string | null;
  readonly safeHarborOptOutNumber: string | null;
}
