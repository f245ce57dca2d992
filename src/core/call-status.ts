/** The one vocabulary of call statuses (DESIGN.md "Statuses"). */
export const CALL_STATUSES = [
  'dialing',
  'ringing',
  'in-progress',
  'completed',
  'failed',
  'no-answer',
  'busy',
  'canceled',
  'voicemail_detected',
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

export const TERMINAL_STATUSES = [
  'completed',
  'failed',
  'no-answer',
  'busy',
  'canceled',
  'voicemail_detected',
] as const satisfies readonly CallStatus[];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export const STATUS_SOURCES = ['mock', 'system', 'webhook', 'manual'] as const;
export type StatusSource = (typeof STATUS_SOURCES)[number];

/** Words the seed used that mean one of ours. */
const STATUS_ALIASES: Readonly<Record<string, CallStatus>> = {
  connected: 'in-progress',
  ended: 'completed',
};

/**
 * Legal moves. A status only moves forward (ST1) and a terminal status never moves (ST2).
 * Forward skips are legal because provider callbacks can be lost: a call whose `ringing`
 * callback never came still has to reach `in-progress`. Voicemail is detected after the
 * provider reports an answer, so `in-progress -> voicemail_detected` is legal too.
 * The database holds the same table (migration 0001) and a test proves they agree.
 */
export const CALL_TRANSITIONS: Readonly<Record<CallStatus, readonly CallStatus[]>> = {
  dialing: ['ringing', 'in-progress', 'completed', 'failed', 'no-answer', 'busy', 'canceled', 'voicemail_detected'],
  ringing: ['in-progress', 'completed', 'failed', 'no-answer', 'busy', 'canceled', 'voicemail_detected'],
  'in-progress': ['completed', 'failed', 'voicemail_detected'],
  completed: [],
  failed: [],
  'no-answer': [],
  busy: [],
  canceled: [],
  voicemail_detected: [],
};

export function isCallStatus(value: unknown): value is CallStatus {
  return typeof value === 'string' && (CALL_STATUSES as readonly string[]).includes(value);
}

export function isTerminal(status: CallStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly CallStatus[]).includes(status);
}

export function canTransition(from: CallStatus, to: CallStatus): boolean {
  return CALL_TRANSITIONS[from].includes(to);
}

/** Reads a status word, accepting the seed's aliases; undefined for anything else. */
export function parseCallStatus(value: string): CallStatus | undefined {
  if (isCallStatus(value)) return value;
  return STATUS_ALIASES[value];
}

/** Where the call stands for a person: the same words and colours everywhere. */
export const STATUS_DISPLAY: Readonly<Record<CallStatus, { label: string; tone: 'neutral' | 'active' | 'good' | 'warn' | 'bad' }>> = {
  dialing: { label: 'Dialing', tone: 'neutral' },
  ringing: { label: 'Ringing', tone: 'active' },
  'in-progress': { label: 'Connected', tone: 'good' },
  completed: { label: 'Completed', tone: 'good' },
  failed: { label: 'Failed', tone: 'bad' },
  'no-answer': { label: 'No answer', tone: 'warn' },
  busy: { label: 'Busy', tone: 'warn' },
  canceled: { label: 'Canceled', tone: 'neutral' },
  voicemail_detected: { label: 'Voicemail', tone: 'warn' },
};
