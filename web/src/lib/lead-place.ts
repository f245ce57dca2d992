import type { Lead } from '../../../src/core/rows.js';

/** Where a lead's import (or a user) says the callee is (0018): an IANA time zone and a US state. */
export interface LeadLocation {
  readonly time_zone?: string | null;
  readonly region?: string | null;
}

/** 'TX · America/Chicago', or null when the lead says neither (the number alone then decides). */
export function leadPlace(lead: Lead & LeadLocation): string | null {
  const parts = [lead.region, lead.time_zone].filter((part): part is string => typeof part === 'string' && part !== '');
  return parts.length > 0 ? parts.join(' · ') : null;
}
