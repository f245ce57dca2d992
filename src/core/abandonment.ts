/**
 * Call abandonment, as the TCPA (47 CFR 64.1200(a)(7)) and the Telemarketing Sales Rule
 * (16 CFR 310.4(b)(1)(iv), safe harbor 310.4(b)(4)) define it: a call answered by a person is
 * abandoned when it is not connected to a live sales representative within two seconds of the
 * person's completed greeting; no more than 3% of the calls answered by a person may be
 * abandoned, measured over 30 days per calling campaign (our lead list); and an abandoned callee
 * hears, within those two seconds, who is calling and a number to ask not to be called again.
 */

/** Seconds after the callee's greeting by which a rep must be on the line (47 CFR 64.1200(a)(7)). */
export const ABANDON_CONNECT_SECONDS = 2;

/** The rolling period of the rate, in days (47 CFR 64.1200(a)(7); 16 CFR 310.4(b)(4)(i)). */
export const ABANDONMENT_WINDOW_DAYS = 30;

/** The most a workspace may allow, in percent (47 CFR 64.1200(a)(7)); `workspaces.abandonment_limit_percent` may be lower. */
export const MAX_ABANDONMENT_LIMIT_PERCENT = 3;

/**
 * Whether an answering-machine verdict (Twilio's AnsweredBy) says a person answered. Only a
 * machine or a fax verdict says otherwise: an answered call without a verdict (no AMD, or
 * `unknown`) counts as a person's, which keeps it in the rate's denominator and lets it be
 * abandoned, as a call no one can prove was a machine must.
 */
export function isAnsweredByPerson(answeredBy: string | null): boolean {
  if (answeredBy === null) return true;
  return !(answeredBy.startsWith('machine') || answeredBy === 'fax');
}

export interface AbandonmentFacts {
  readonly answeredAt: Date | null;
  /**
   * When the callee's greeting ended, if known. Unknown (the usual case) counts from the answer:
   * the two seconds then end no later than the law's, never after.
   */
  readonly greetingEndedAt?: Date | null;
  /** When a rep was connected to the callee; null if never. */
  readonly connectedAt: Date | null;
  readonly endedAt: Date | null;
  readonly answeredBy: string | null;
}

/** The instant by which a rep must be connected, or null for a call no person answered. */
export function connectDeadline(facts: AbandonmentFacts): Date | null {
  if (facts.answeredAt === null || !isAnsweredByPerson(facts.answeredBy)) return null;
  const from = facts.greetingEndedAt ?? facts.answeredAt;
  return new Date(from.getTime() + ABANDON_CONNECT_SECONDS * 1000);
}

/**
 * Whether a call is abandoned at `now` (47 CFR 64.1200(a)(7)): answered by a person and not
 * connected to a rep within ABANDON_CONNECT_SECONDS of the greeting's end. A callee who hung up
 * by the deadline was not abandoned, one who hung up after it without a rep was; a call still
 * waiting for a rep is abandoned once `now` reaches the deadline.
 */
export function isAbandoned(facts: AbandonmentFacts, now: Date): boolean {
  const deadline = connectDeadline(facts);
  if (deadline === null) return false;
  if (facts.connectedAt !== null) return facts.connectedAt.getTime() > deadline.getTime();
  if (facts.endedAt !== null) return facts.endedAt.getTime() > deadline.getTime();
  return now.getTime() >= deadline.getTime();
}

/**
 * The abandonment rate in percent: abandoned calls over calls answered by a person (abandoned
 * ones included), over ABANDONMENT_WINDOW_DAYS for one campaign (47 CFR 64.1200(a)(7)). Null
 * when no person answered: no rate yet, which is not 0%.
 */
export function abandonmentRate(counts: { readonly abandoned: number; readonly answeredByPerson: number }): number | null {
  if (counts.abandoned < 0 || counts.abandoned > counts.answeredByPerson) {
    throw new RangeError(`abandoned calls (${counts.abandoned}) must be between 0 and the calls answered by a person (${counts.answeredByPerson})`);
  }
  return counts.answeredByPerson === 0 ? null : (counts.abandoned * 100) / counts.answeredByPerson;
}

/** A list's 30-day counts the session paces by (src/db/abandonment.ts AbandonmentFigures). */
export interface PacingFigures {
  /** Calls answered by a person, abandoned ones included. */
  readonly answered: number;
  readonly abandoned: number;
}

/**
 * How many lines a power-dial session may dial at once, so that the list's abandonment rate
 * (47 CFR 64.1200(a)(7): at most the workspace's limit, 3% or less, per campaign over 30 days)
 * stays within the limit even if every extra line is answered by a person at the same time and
 * abandoned. Each round connects one person and risks one abandonment per extra line `e`; the
 * worst case keeps `(abandoned + e) / (answered + 1 + e) <= limit`, that is
 * `e <= (limit × (answered + 1) − abandoned) / (1 − limit)`, shared evenly between the list's
 * `sharingSessions` live sessions (all of them could round at once). So a list at or over the
 * limit dials one line (as many calls as the one rep can take), and a list earns its second and
 * third line as people are connected without abandonment (about 33 and 66 at 3%). A list where
 * nobody has answered yet dials the lines asked for: its first round is the one the rule cannot
 * bound, and the counts take over from the first answer. A limit of 0% means one line always.
 * Throws RangeError for fewer than one line, a limit outside 0..MAX_ABANDONMENT_LIMIT_PERCENT,
 * negative counts or fewer than one sharing session.
 */
export function linesAllowed(requested: number, figures: PacingFigures, limitPercent: number, sharingSessions = 1): number {
  if (!Number.isInteger(requested) || requested < 1) throw new RangeError(`requested lines must be a whole number of at least 1, not ${requested}`);
  if (!(limitPercent >= 0 && limitPercent <= MAX_ABANDONMENT_LIMIT_PERCENT)) {
    throw new RangeError(`the abandonment limit must be between 0 and ${MAX_ABANDONMENT_LIMIT_PERCENT} percent, not ${limitPercent}`);
  }
  const { answered, abandoned } = figures;
  if (!(answered >= 0 && abandoned >= 0 && Number.isInteger(sharingSessions) && sharingSessions >= 1)) {
    throw new RangeError('counts must not be negative, and at least one session shares the list');
  }
  if (limitPercent === 0) return 1;
  if (answered === 0) return requested;
  const limit = limitPercent / 100;
  const extra = Math.floor(Math.max(0, (limit * (answered + 1) - abandoned) / (1 - limit)) / sharingSessions);
  return Math.min(requested, 1 + extra);
}

/** Spoken digit by digit in groups (`4 1 5, 5 5 5, 0 1 0 0`), so text-to-speech does not read one big number. */
export function speakPhoneNumber(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  const spaced = (part: string) => part.split('').join(' ');
  if (/^1\d{10}$/.test(digits)) return [digits.slice(1, 4), digits.slice(4, 7), digits.slice(7)].map(spaced).join(', ');
  return `plus ${spaced(digits)}`;
}

/**
 * The safe-harbor message an abandoned callee hears: that the call was for telemarketing
 * purposes, who it was from, and a number to ask not to be called again
 * (47 CFR 64.1200(a)(7)(i)(A); 16 CFR 310.4(b)(4)(iii)). With `optOutKey`, it also offers the
 * key that adds the number to the do-not-call list during the call (47 CFR 64.1200(a)(7)(i)(B)).
 * Without an opt-out number (null) the number sentence is left out; callers always pass one
 * where they have it (the workspace's, else the call's caller ID).
 */
export function safeHarborMessage(input: { callerName: string; optOutNumber: string | null; optOutKey?: string }): string {
  const name = input.callerName.trim().replace(/\s+/g, ' ');
  const parts = [`This call was made for telemarketing purposes on behalf of ${name}, and no representative is free to take it.`];
  if (input.optOutNumber !== null) parts.push(`To ask ${name} not to call you again, call ${speakPhoneNumber(input.optOutNumber)}.`);
  if (input.optOutKey !== undefined) parts.push(`To be added to our do-not-call list now, press ${input.optOutKey}.`);
  return parts.join(' ');
}
