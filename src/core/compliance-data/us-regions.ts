// US states, the District of Columbia and the territories with NANP area codes, by USPS code
// (USPS Publication 28, Appendix B), and the English names libphonenumber's geocoder uses for
// them ("California", "Washington State", "Washington D.C.", or "Mountain View, CA").

export const US_REGION_NAMES: Readonly<Record<string, string>> = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California', CO: 'Colorado',
  CT: 'Connecticut', DE: 'Delaware', DC: 'District of Columbia', FL: 'Florida', GA: 'Georgia',
  HI: 'Hawaii', ID: 'Idaho', IL: 'Illinois', IN: 'Indiana', IA: 'Iowa', KS: 'Kansas', KY: 'Kentucky',
  LA: 'Louisiana', ME: 'Maine', MD: 'Maryland', MA: 'Massachusetts', MI: 'Michigan', MN: 'Minnesota',
  MS: 'Mississippi', MO: 'Missouri', MT: 'Montana', NE: 'Nebraska', NV: 'Nevada', NH: 'New Hampshire',
  NJ: 'New Jersey', NM: 'New Mexico', NY: 'New York', NC: 'North Carolina', ND: 'North Dakota',
  OH: 'Ohio', OK: 'Oklahoma', OR: 'Oregon', PA: 'Pennsylvania', RI: 'Rhode Island',
  SC: 'South Carolina', SD: 'South Dakota', TN: 'Tennessee', TX: 'Texas', UT: 'Utah', VT: 'Vermont',
  VA: 'Virginia', WA: 'Washington', WV: 'West Virginia', WI: 'Wisconsin', WY: 'Wyoming',
  AS: 'American Samoa', GU: 'Guam', MP: 'Northern Mariana Islands', PR: 'Puerto Rico', VI: 'U.S. Virgin Islands',
};

const BY_NAME = new Map<string, string>([
  ...Object.entries(US_REGION_NAMES).map(([code, name]) => [name.toLowerCase(), code] as const),
  ['washington state', 'WA'],
  ['washington d.c.', 'DC'],
  ['washington, d.c.', 'DC'],
  ['us virgin islands', 'VI'],
  ['virgin islands', 'VI'],
]);

/** Whether `code` is the USPS code of a US state, DC or a territory with NANP numbers. */
export function isUsRegion(code: string): boolean {
  return Object.hasOwn(US_REGION_NAMES, code);
}

/**
 * The USPS code of the US region a geocoder description names: a region's name ("Texas",
 * "Washington State") or a place with a USPS code after the last comma ("San Antonio, TX").
 * Undefined for anything else (a Canadian province, a Caribbean island, an empty string).
 */
export function regionFromPlaceName(description: string): string | undefined {
  const trimmed = description.trim();
  const byName = BY_NAME.get(trimmed.toLowerCase());
  if (byName !== undefined) return byName;
  const suffix = /,\s*([A-Z]{2})$/.exec(trimmed)?.[1];
  return suffix !== undefined && isUsRegion(suffix) ? suffix : undefined;
}

/**
 * Area codes of the US territories, which libphonenumber's geocoder names poorly or not at all
 * (NANPA area code assignments: 340 U.S. Virgin Islands, 670 Northern Mariana Islands, 671 Guam,
 * 684 American Samoa, 787 and 939 Puerto Rico).
 */
export const TERRITORY_AREA_CODES: Readonly<Record<string, string>> = {
  '340': 'VI',
  '670': 'MP',
  '671': 'GU',
  '684': 'AS',
  '787': 'PR',
  '939': 'PR',
};

/**
 * Every zone of the 50 states and DC (Eastern, Central, Mountain, Mountain without daylight saving
 * time, Pacific, Alaska, Hawaii-Aleutian with and without daylight saving time; 49 CFR 71.4–71.12):
 * where a NANP number with no fixed place (toll-free 8XX, 500, 700, …) may ring.
 */
export const US_STATE_ZONES: readonly string[] = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Phoenix',
  'America/Los_Angeles',
  'America/Anchorage',
  'America/Adak',
  'Pacific/Honolulu',
];
