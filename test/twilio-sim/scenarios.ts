/**
 * What happens to a call, chosen by the number it goes to. The refusing numbers follow
 * Twilio's own test numbers (+1 500 555 xxxx); the others are fictional 555-01xx numbers.
 */
export type CallLife =
  /** Answered by a person, who hangs up after the talk time. */
  | 'human'
  /** Answered by a person who stays on the line until the call is ended through the API. */
  | 'human-stays'
  /** Answered by an answering machine, which plays its greeting and hangs up. */
  | 'machine'
  /** Answered by a fax. */
  | 'fax'
  | 'busy'
  /** Rings until the Timeout, then no-answer. */
  | 'no-answer'
  /** Rings until the call is canceled through the API (or, much later, no-answer). */
  | 'rings-on'
  /** The carrier cannot connect it. */
  | 'failed';

export type Scenario =
  | { readonly kind: 'life'; readonly life: CallLife }
  | { readonly kind: 'refuse'; readonly httpStatus: number; readonly code: number; readonly message: (to: string) => string }
  /** Twilio never answers the create request (the client times out). */
  | { readonly kind: 'stall' };

export const SIM_NUMBERS = {
  human: '+14155550100',
  machine: '+14155550101',
  busy: '+14155550102',
  noAnswer: '+14155550103',
  failed: '+14155550104',
  humanStays: '+14155550105',
  ringsOn: '+14155550106',
  fax: '+14155550107',
  invalid: '+15005550001',
  unreachable: '+15005550002',
  geoPermission: '+15005550003',
  unsupported: '+15005550009',
  rateLimited: '+15005550429',
  stall: '+15005550408',
} as const;

const LIVES: Readonly<Record<string, CallLife>> = {
  [SIM_NUMBERS.human]: 'human',
  [SIM_NUMBERS.machine]: 'machine',
  [SIM_NUMBERS.busy]: 'busy',
  [SIM_NUMBERS.noAnswer]: 'no-answer',
  [SIM_NUMBERS.failed]: 'failed',
  [SIM_NUMBERS.humanStays]: 'human-stays',
  [SIM_NUMBERS.ringsOn]: 'rings-on',
  [SIM_NUMBERS.fax]: 'fax',
};

const REFUSALS: Readonly<Record<string, Scenario>> = {
  [SIM_NUMBERS.invalid]: { kind: 'refuse', httpStatus: 400, code: 21211, message: (to) => `The 'To' number ${to} is not a valid phone number.` },
  [SIM_NUMBERS.unreachable]: { kind: 'refuse', httpStatus: 400, code: 21214, message: (to) => `'To' phone number cannot be reached: ${to}.` },
  [SIM_NUMBERS.geoPermission]: {
    kind: 'refuse',
    httpStatus: 400,
    code: 21215,
    message: (to) => `Account not authorized to call ${to}. Perhaps you need to enable some international permissions.`,
  },
  [SIM_NUMBERS.unsupported]: { kind: 'refuse', httpStatus: 400, code: 13224, message: () => 'Twilio does not support calling this number or the number is invalid.' },
  [SIM_NUMBERS.rateLimited]: { kind: 'refuse', httpStatus: 429, code: 20429, message: () => 'Too Many Requests' },
  [SIM_NUMBERS.stall]: { kind: 'stall' },
};

/** A number not listed is answered by a person who hangs up after the talk time. */
export function scenarioFor(to: string): Scenario {
  return REFUSALS[to] ?? { kind: 'life', life: LIVES[to] ?? 'human' };
}

/**
 * Numbers answered by a person (like any number not listed above) whose callee lives in a zone
 * of its own, about five to nine hours apart, so that at any moment one of them is in its
 * daytime. A test whose server runs as its own process has the real clock in its dial gate
 * (08:00–21:00 at the callee, 47 CFR 64.1200(c)(1)), so it dials the one in daytime now. None
 * is in a state with a stricter calling-hours rule.
 */
const HUMANS_AROUND_THE_WORLD = [
  { number: '+18085550100', zone: 'Pacific/Honolulu' },
  { number: '+12125550100', zone: 'America/New_York' },
  { number: '+442079460100', zone: 'Europe/London' },
  { number: '+81355550100', zone: 'Asia/Tokyo' },
] as const;

/** A person's number where it is now between 09:00 and 19:00 (an hour or more inside the calling window). */
export function daytimeHumanNumber(now: Date = new Date()): string {
  const hourIn = (zone: string) => Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(now));
  const found = HUMANS_AROUND_THE_WORLD.find(({ zone }) => hourIn(zone) >= 9 && hourIn(zone) < 19);
  if (!found) throw new Error(`no number in daytime at ${now.toISOString()}`);
  return found.number;
}
