import { fail, ok, type Result } from './errors.js';

/**
 * The US states, the District of Columbia and the inhabited territories with their USPS
 * two-letter codes (USPS Publication 28, Appendix B), as `leads.region` and the calling-hour
 * rules name them.
 */
export const US_REGIONS: Readonly<Record<string, string>> = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California', CO: 'Colorado', CT: 'Connecticut',
  DE: 'Delaware', DC: 'District of Columbia', FL: 'Florida', GA: 'Georgia', HI: 'Hawaii', ID: 'Idaho', IL: 'Illinois',
  IN: 'Indiana', IA: 'Iowa', KS: 'Kansas', KY: 'Kentucky', LA: 'Louisiana', ME: 'Maine', MD: 'Maryland',
  MA: 'Massachusetts', MI: 'Michigan', MN: 'Minnesota', MS: 'Mississippi', MO: 'Missouri', MT: 'Montana', NE: 'Nebraska',
  NV: 'Nevada', NH: 'New Hampshire', NJ: 'New Jersey', NM: 'New Mexico', NY: 'New York', NC: 'North Carolina',
  ND: 'North Dakota', OH: 'Ohio', OK: 'Oklahoma', OR: 'Oregon', PA: 'Pennsylvania', RI: 'Rhode Island',
  SC: 'South Carolina', SD: 'South Dakota', TN: 'Tennessee', TX: 'Texas', UT: 'Utah', VT: 'Vermont', VA: 'Virginia',
  WA: 'Washington', WV: 'West Virginia', WI: 'Wisconsin', WY: 'Wyoming',
  AS: 'American Samoa', GU: 'Guam', MP: 'Northern Mariana Islands', PR: 'Puerto Rico', VI: 'U.S. Virgin Islands',
};

/** Words as they are compared: lower case, accents dropped, punctuation as one space. */
const simplify = (text: string) =>
  text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

const REGION_BY_NAME: ReadonlyMap<string, string> = new Map([
  ...Object.entries(US_REGIONS).map(([code, name]) => [simplify(name), code] as const),
  ['washington dc', 'DC'], ['washington d c', 'DC'], ['d c', 'DC'], ['virgin islands', 'VI'], ['us virgin islands', 'VI'],
  ['northern marianas', 'MP'], ['commonwealth of puerto rico', 'PR'],
]);

/**
 * A US state or territory as its USPS code, from the code (`tx`, `TX`, `T.X.` not accepted) or the
 * name in English (`Texas`, `new york`, `District of Columbia`). Refused (`invalid_request`): anything
 * else, e.g. a Canadian province, with the reason in one sentence.
 */
export function readRegion(text: string): Result<string> {
  const trimmed = text.trim();
  const code = trimmed.toUpperCase();
  if (/^[A-Z]{2}$/.test(code) && Object.hasOwn(US_REGIONS, code)) return ok(code);
  const named = REGION_BY_NAME.get(simplify(trimmed));
  if (named) return ok(named);
  return fail('invalid_request', `"${trimmed}" is not a US state or territory: use its name or its two-letter USPS code (e.g. TX or Texas).`);
}

/**
 * What people write for a US time zone instead of its IANA name. An abbreviation names the zone
 * of the region that uses it, with its daylight-saving rule: EST (and EDT, Eastern, ET) is
 * America/New_York, although ICU reads a bare "EST" as a fixed UTC−5 (America/Panama), because a
 * lead file's "EST" means the US Eastern time its callee lives by, summer included. MST is read as
 * Mountain time with DST (America/Denver); Arizona, which keeps MST all year, is written "Arizona"
 * or America/Phoenix. AST is the Atlantic time of Puerto Rico and the Virgin Islands (no DST).
 */
const ZONE_WORDS: Readonly<Record<string, string>> = {
  est: 'America/New_York', edt: 'America/New_York', et: 'America/New_York', eastern: 'America/New_York',
  cst: 'America/Chicago', cdt: 'America/Chicago', ct: 'America/Chicago', central: 'America/Chicago',
  mst: 'America/Denver', mdt: 'America/Denver', mt: 'America/Denver', mountain: 'America/Denver',
  arizona: 'America/Phoenix',
  pst: 'America/Los_Angeles', pdt: 'America/Los_Angeles', pt: 'America/Los_Angeles', pacific: 'America/Los_Angeles',
  akst: 'America/Anchorage', akdt: 'America/Anchorage', akt: 'America/Anchorage', alaska: 'America/Anchorage', alaskan: 'America/Anchorage',
  hst: 'Pacific/Honolulu', hast: 'Pacific/Honolulu', hawaii: 'Pacific/Honolulu', hawaiian: 'Pacific/Honolulu', 'hawaii aleutian': 'Pacific/Honolulu',
  ast: 'America/Puerto_Rico', atlantic: 'America/Puerto_Rico',
  chst: 'Pacific/Guam', chamorro: 'Pacific/Guam', sst: 'Pacific/Pago_Pago', samoa: 'Pacific/Pago_Pago',
};

/** Words around a zone's name that do not say which zone it is: "Eastern Standard Time (US & Canada)". */
const ZONE_NOISE = /\b(?:standard|daylight|saving|time|zone|us|usa|u s)\b/g;

/** The name the database accepts (db/migrations/0018_compliance.sql checks the same pattern). */
const IANA_NAME = /^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/;

const zoneCache = new Map<string, Result<string>>();

/**
 * A time zone as its canonical IANA name: an IANA name in any case (`america/chicago`, the
 * link `US/Central`), or what people write for a US zone (`CST`, `Central`, `Central Standard
 * Time`, `Central Time (US & Canada)`; see ZONE_WORDS). A UTC offset (`-05:00`, `GMT-5`) is
 * refused: it does not say when daylight saving time starts, so the callee's hour would be wrong
 * half the year. Checked with the runtime's own zone data (Intl.DateTimeFormat).
 */
export function readTimeZone(text: string): Result<string> {
  const trimmed = text.trim();
  const cached = zoneCache.get(trimmed);
  if (cached) return cached;
  const read = readZoneUncached(trimmed);
  if (zoneCache.size < 1000) zoneCache.set(trimmed, read);
  return read;
}

function readZoneUncached(trimmed: string): Result<string> {
  const words = simplify(trimmed.toLowerCase().replace(/\([^)]*\)/g, ' '));
  const zoneOf = (key: string) => (Object.hasOwn(ZONE_WORDS, key) ? ZONE_WORDS[key] : undefined);
  const named = zoneOf(words) ?? zoneOf(words.replace(ZONE_NOISE, ' ').replace(/\s+/g, ' ').trim());
  if (named) return ok(named);
  if (/^(?:utc|gmt|z)$/i.test(trimmed)) return ok('UTC');
  if (/^(?:utc|gmt)?\s*[+\-\u2212]\s*\d/i.test(trimmed)) {
    return fail('invalid_request', `"${trimmed}" is a UTC offset, not a time zone: an offset does not say when daylight saving time applies. Use a zone such as America/New_York, or EST, CST, MST, PST.`);
  }
  let zone: string | undefined;
  try {
    zone = new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    zone = undefined;
  }
  if (zone && IANA_NAME.test(zone) && zone.length <= 64) return ok(zone);
  return fail('invalid_request', `"${trimmed}" is not a time zone: use an IANA name such as America/Chicago, or EST, CST, MST, PST, AKST, HST.`);
}
