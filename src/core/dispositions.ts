import { DISPOSITIONS, type Disposition, type LeadStatus } from './rows.js';

/** What a disposition makes of the lead; `other` leaves the status the call gave it. */
export const DISPOSITION_LEAD_STATUS: Readonly<Record<Disposition, LeadStatus | null>> = {
  interested: 'interested',
  not_interested: 'not_interested',
  callback: 'callback',
  wrong_number: 'wrong_number',
  voicemail_left: 'voicemail',
  no_answer: 'no_answer',
  do_not_call: 'do_not_call',
  other: null,
};

/**
 * A status nothing but a deliberate, audited removal takes away: once a lead asked not to be
 * called, no disposition, call outcome or bulk status change alters it. Every rule below asks here.
 */
export function isStickyStatus(status: LeadStatus): boolean {
  return status === 'do_not_call';
}

export function isDisposition(value: unknown): value is Disposition {
  return typeof value === 'string' && (DISPOSITIONS as readonly string[]).includes(value);
}

/**
 * The lead's status after a disposition is saved, or null when the lead keeps its status.
 * - `do_not_call` is sticky: once a lead asked not to be called, no later disposition or call
 *   outcome changes that (a removal is a deliberate, audited act, not a side effect).
 * - A correction of an older call's disposition (`isLatestCall` false) changes only that call's
 *   history row, so it cannot overwrite what a newer call taught us; a new do-not-call request
 *   always applies.
 */
export function leadStatusAfterDisposition(disposition: Disposition, current: LeadStatus, isLatestCall: boolean): LeadStatus | null {
  if (disposition === 'do_not_call') return current === 'do_not_call' ? null : 'do_not_call';
  if (isStickyStatus(current) || !isLatestCall) return null;
  const next = DISPOSITION_LEAD_STATUS[disposition];
  return next === current ? null : next;
}

/** What a status set by hand (bulkUpdateLeads `set_status`) does to a lead. */
export type StatusSetOutcome = { readonly kind: 'change'; readonly status: LeadStatus } | { readonly kind: 'unchanged' } | { readonly kind: 'sticky' };

/**
 * A status set by hand (a manager's or rep's bulk action) applies unless the lead already has it,
 * or has a sticky status (`do_not_call`), which a set never clears; setting `do_not_call` on a
 * lead always applies.
 */
export function leadStatusAfterSet(requested: LeadStatus, current: LeadStatus): StatusSetOutcome {
  if (requested === current) return { kind: 'unchanged' };
  if (isStickyStatus(current)) return { kind: 'sticky' };
  return { kind: 'change', status: requested };
}
