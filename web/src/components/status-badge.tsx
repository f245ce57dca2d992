import { STATUS_DISPLAY, type CallStatus } from '../../../src/core/call-status.js';
import type { LeadStatus } from '../../../src/core/rows.js';
import { LEAD_STATUS_LABEL, LEAD_STATUS_TONE } from '../lib/labels.js';

/** A call status in the one label and colour src/core gives it. */
export function StatusBadge({ status }: { status: CallStatus }) {
  const { label, tone } = STATUS_DISPLAY[status];
  return (
    <span className={`badge badge--${tone}`} data-status={status}>
      {label}
    </span>
  );
}

export function LeadStatusBadge({ status }: { status: LeadStatus }) {
  return (
    <span className={`badge badge--${LEAD_STATUS_TONE[status]}`} data-lead-status={status}>
      {LEAD_STATUS_LABEL[status]}
    </span>
  );
}
