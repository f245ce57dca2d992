import type { TerminalStatus } from '../../../src/core/call-status.js';
import type { Disposition, LeadStatus } from '../../../src/core/rows.js';
import type { AuditAction } from '../../../src/core/workspace.js';
import type { RepStateName, Role } from './team-api.js';

/** How a lead's status reads in the app; keyed by src/core's words, so none is missed or misspelt. */
export const LEAD_STATUS_LABEL: Readonly<Record<LeadStatus, string>> = {
  new: 'New',
  attempted: 'Attempted',
  contacted: 'Contacted',
  voicemail: 'Voicemail',
  no_answer: 'No answer',
  busy: 'Busy',
  callback: 'Call back',
  interested: 'Interested',
  not_interested: 'Not interested',
  wrong_number: 'Wrong number',
  do_not_call: 'Do not call',
};

export const DISPOSITION_LABEL: Readonly<Record<Disposition, string>> = {
  interested: 'Interested',
  not_interested: 'Not interested',
  callback: 'Call back',
  wrong_number: 'Wrong number',
  voicemail_left: 'Voicemail left',
  no_answer: 'No answer',
  do_not_call: 'Do not call',
  other: 'Other',
};

/** One sentence per final outcome, for a rep who wants to know what happened. */
export const OUTCOME_EXPLANATION: Readonly<Record<TerminalStatus, string>> = {
  completed: 'The call ended normally.',
  failed: 'The call could not be connected.',
  'no-answer': 'Nobody picked up.',
  busy: 'The line was busy.',
  canceled: 'The call was hung up before anyone answered.',
  voicemail_detected: 'An answering machine picked up.',
};

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** "United States" for "US"; the code itself when the browser has no name for it. */
export function describeCountry(code: string | undefined): string {
  if (!code) return 'unknown country';
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

export type Tone = 'neutral' | 'active' | 'good' | 'warn' | 'bad';

/** The colour family of each lead status, in the tones the call statuses use. */
export const LEAD_STATUS_TONE: Readonly<Record<LeadStatus, Tone>> = {
  new: 'active',
  attempted: 'neutral',
  contacted: 'good',
  voicemail: 'warn',
  no_answer: 'warn',
  busy: 'warn',
  callback: 'active',
  interested: 'good',
  not_interested: 'bad',
  wrong_number: 'bad',
  do_not_call: 'bad',
};

export const ROLE_LABEL: Readonly<Record<Role, string>> = { admin: 'Admin', manager: 'Manager', rep: 'Rep' };

export const REP_STATE_DISPLAY: Readonly<Record<RepStateName, { label: string; tone: Tone }>> = {
  offline: { label: 'Offline', tone: 'neutral' },
  available: { label: 'Available', tone: 'good' },
  on_call: { label: 'On a call', tone: 'active' },
  wrap_up: { label: 'Wrap-up', tone: 'warn' },
  away: { label: 'Away', tone: 'bad' },
};

/** How an audit entry's action reads, keyed by src/core's list (an unknown one shows as sent). */
export const AUDIT_ACTION_LABEL: Readonly<Record<AuditAction, string>> = {
  'invitation.created': 'Invited',
  'invitation.revoked': 'Revoked an invitation',
  'invitation.accepted': 'Joined with an invitation',
  'member.role_changed': 'Changed a role',
  'member.deactivated': 'Deactivated',
  'member.reactivated': 'Reactivated',
  'call.ended_by_manager': 'Ended a rep’s call',
  'workspace.settings_changed': 'Changed the workspace settings',
  'lead_list.archived': 'Archived a lead list',
  'leads.assigned': 'Assigned leads',
  'leads.deleted': 'Deleted leads',
  'do_not_call.removed': 'Removed a number from the do-not-call list',
  'compliance.settings_changed': 'Changed the compliance settings',
  'calling_hour_rule.set': 'Set a calling-hours rule',
  'calling_hour_rule.deleted': 'Deleted a calling-hours rule',
};
