import type { CallStatus, StatusSource } from './call-status.js';

/** Who places a call: the demo-mode simulator or Twilio. */
export const PROVIDERS = ['mock', 'twilio'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** What a call does when a machine answers (a rep setting). */
export const VOICEMAIL_ACTIONS = ['hangup', 'leave'] as const;
export type VoicemailAction = (typeof VOICEMAIL_ACTIONS)[number];

/** A rep dials on up to three lines at once. */
export const LINE_NUMBERS = [1, 2, 3] as const;
export type LineNumber = (typeof LINE_NUMBERS)[number];

/** E.164 as every stored number must be: `+`, a country code not starting with 0, 7 to 15 digits in all. */
export const E164_PATTERN = /^\+[1-9][0-9]{6,14}$/;

/** Rows as clients see them (timestamps as ISO strings); the server reads the same with Dates. */
export interface ActiveCall<Time = string> {
  id: string;
  user_email: string;
  lead_id: string | null;
  call_sid: string | null;
  line_number: number;
  status: CallStatus;
  status_source: StatusSource;
  is_mock: boolean;
  last_error: string | null;
  started_at: Time;
  answered_at: Time | null;
  ended_at: Time | null;
  to_number: string;
  /** Digits dialed after the answer (Twilio's SendDigits); never part of `to_number`. */
  extension: string | null;
  lead_name: string | null;
  session_id: string | null;
  provider: Provider;
  updated_at: Time;
  duration_seconds: number | null;
  answered_by: string | null;
  recording_url: string | null;
  amd_enabled: boolean;
  recording_enabled: boolean;
  mock_seed: number | null;
  mock_config: Record<string, unknown> | null;
  /** Twilio's final status, kept until the call can be finished (an AMD verdict may be due, TR3). */
  reported_status: string | null;
  reported_ended_at: Time | null;
  reported_duration_seconds: number | null;
  /** When the rep asked to end the call; a Twilio call ends when Twilio says how. */
  end_requested_at: Time | null;
}

export const LEAD_STATUSES = [
  'new',
  'attempted',
  'contacted',
  'voicemail',
  'no_answer',
  'busy',
  'callback',
  'interested',
  'not_interested',
  'wrong_number',
  'do_not_call',
] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

/** Whether a value (a stored row or a form field is input too) is one of LEAD_STATUSES. */
export function isLeadStatus(value: unknown): value is LeadStatus {
  return typeof value === 'string' && (LEAD_STATUSES as readonly string[]).includes(value);
}

export const DISPOSITIONS = ['interested', 'not_interested', 'callback', 'wrong_number', 'voicemail_left', 'no_answer', 'do_not_call', 'other'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export interface Lead<Time = string> {
  id: string;
  user_email: string;
  name: string;
  phone: string;
  /** Dialed after the answer on every call to this lead. */
  extension: string | null;
  company: string | null;
  email: string | null;
  notes: string | null;
  status: LeadStatus;
  attempts: number;
  last_called_at: Time | null;
  /** When the rep promised to call back (a `callback` disposition). */
  callback_at: Time | null;
  /** The lead list (campaign) it belongs to, of its own workspace; null: none. */
  list_id: string | null;
  created_at: Time;
  updated_at: Time;
}

export interface CallLog<Time = string> {
  id: string;
  active_call_id: string | null;
  call_sid: string | null;
  user_email: string;
  lead_id: string | null;
  lead_name: string | null;
  to_number: string | null;
  extension: string | null;
  line_number: number | null;
  session_id: string | null;
  outcome: CallStatus;
  status_source: StatusSource | null;
  is_mock: boolean;
  provider: string | null;
  started_at: Time | null;
  answered_at: Time | null;
  ended_at: Time | null;
  ring_seconds: number | null;
  talk_seconds: number;
  answered_by: string | null;
  recording_url: string | null;
  last_error: string | null;
  disposition: Disposition | null;
  notes: string | null;
  /** When the disposition was last saved, by the server's clock. */
  disposition_at: Time | null;
  callback_at: Time | null;
  created_at: Time;
  updated_at: Time;
}

/** A user's totals for one mode: real calls (`is_mock` false) and demo calls are kept apart. */
export interface UserStats {
  user_email: string;
  is_mock: boolean;
  calls_made: number;
  connects: number;
  voicemails: number;
  no_answers: number;
  busy: number;
  failed: number;
  canceled: number;
  talk_seconds: number | string;
  last_call_at: string | null;
}

/** A user's dialer settings; `use_mock_dialer` is demo mode. */
export interface DialerSettings<Time = string> {
  user_email: string;
  use_mock_dialer: boolean;
  mock_config: Record<string, unknown>;
  caller_id: string | null;
  forward_to_number: string | null;
  default_amd: boolean;
  default_recording: boolean;
  voicemail_action: VoicemailAction;
  created_at: Time;
  updated_at: Time;
}
