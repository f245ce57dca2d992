import { geocoder, timezones } from 'libphonenumber-geo-carrier';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { MULTI_ZONE_AREA_CODES } from '../core/compliance-data/multi-zone-area-codes.js';
import { isUsRegion, regionFromPlaceName, US_STATE_ZONES } from '../core/compliance-data/us-regions.js';
import { isTimeZone } from '../core/zoned-time.js';
import { listNanpAreaCodeZones, locateCallee } from './locate-callee.js';

describe('CH10 where the callee of a number may be', () => {
  it.each([
    ['+16502530000', ['America/Los_Angeles'], ['CA'], ['number']],
    ['+12125550100', ['America/New_York'], ['NY'], ['number']],
    ['+18505550100', ['America/New_York', 'America/Chicago'], ['FL'], ['number', 'multi_zone_area:850']],
    // An overlay the geodata places in one zone only.
    ['+14485550100', ['America/New_York', 'America/Chicago'], ['FL'], ['number', 'multi_zone_area:448']],
    ['+19315550100', ['America/Chicago', 'America/New_York'], ['TN'], ['number', 'multi_zone_area:931']],
    ['+19285550100', ['America/Phoenix', 'America/Denver'], ['AZ'], ['number', 'multi_zone_area:928']],
    ['+19075550100', ['America/Adak', 'America/Anchorage'], ['AK'], ['number', 'multi_zone_area:907']],
    ['+16845550100', ['Pacific/Pago_Pago'], ['AS'], ['number']],
    ['+16715550100', ['Pacific/Guam'], ['GU'], ['number']],
    ['+17875550100', ['America/Puerto_Rico'], ['PR'], ['number']],
    ['+14165550100', ['America/Toronto'], [], ['number']],
    ['+442071234567', ['Europe/London'], [], ['number']],
  ])('%s', async (e164, zones, regions, rules) => {
    const location = await locateCallee(e164);
    expect(location.zones).toEqual(zones);
    expect(location.regions).toEqual(regions);
    expect(location.rules).toEqual(rules);
  });

  it.each(['+18005550100', '+18885550100', '+15005550100', '+17005550100'])('%s has no fixed place: every zone of the 50 states', async (e164) => {
    const location = await locateCallee(e164);
    expect(location.zones).toEqual(US_STATE_ZONES);
    expect(location.regions).toEqual([]);
    expect(location.rules).toEqual(['country_zones']);
    expect(new Set(Object.values(location.zoneRules ?? {}))).toEqual(new Set(['country_zones']));
  });

  it('names the rule that brought each zone in', async () => {
    const location = await locateCallee('+18505550100', { timeZone: 'America/Denver', region: 'TX' });
    expect(location).toEqual({
      zones: ['America/New_York', 'America/Chicago', 'America/Denver'],
      regions: ['FL', 'TX'],
      rules: ['number', 'multi_zone_area:850', 'lead_time_zone', 'lead_region'],
      zoneRules: { 'America/New_York': 'number', 'America/Chicago': 'multi_zone_area:850', 'America/Denver': 'lead_time_zone' },
    });
  });

  it('checks the lead’s own zone and state, and ignores ones that are not (noting a bad zone)', async () => {
    expect(await locateCallee('+12125550100', { timeZone: 'America/New_York', region: 'NY' })).toMatchObject({
      zones: ['America/New_York'],
      regions: ['NY'],
      rules: ['number', 'lead_time_zone', 'lead_region'],
    });
    expect(await locateCallee('+12125550100', { timeZone: 'Mars/Olympus_Mons', region: 'ZZ' })).toMatchObject({
      zones: ['America/New_York'],
      regions: ['NY'],
      rules: ['number', 'lead_time_zone_invalid'],
    });
    expect(await locateCallee('+12125550100', { timeZone: null, region: null })).toMatchObject({ zones: ['America/New_York'], rules: ['number'] });
  });

  it.each(['+16502530000', '+13125550100', '+12085550100', '+17755550100', '+16055550100', '+18125550100', '+14235550100', '+19075550100', '+16715550100', '+441632960000', '+81312345678', '+61291234567'])(
    'agrees with libphonenumber-geo-carrier’s own answer for %s',
    async (e164) => {
      const phone = parsePhoneNumberFromString(e164);
      const [libraryZones, place] = await Promise.all([timezones(phone), geocoder(phone)]);
      const location = await locateCallee(e164);
      // Ours may add zones from the multi-zone table; the library's come first and in its order.
      const fromLibrary = location.zones.filter((zone) => !(location.zoneRules?.[zone] ?? '').startsWith('multi_zone_area:'));
      expect(fromLibrary).toEqual((libraryZones ?? []).filter(isTimeZone));
      const region = place === null ? undefined : regionFromPlaceName(place);
      if (region !== undefined) expect(location.regions[0]).toBe(region);
    },
  );
});

describe('CH10 the table of area codes spanning several zones', () => {
  it.each(MULTI_ZONE_AREA_CODES.map((entry) => [entry.areaCode, entry] as const))('%s: valid zones and region, a source, and the region the geodata gives', async (areaCode, entry) => {
    expect(areaCode).toMatch(/^[2-9][0-9]{2}$/);
    expect(entry.zones.length).toBeGreaterThanOrEqual(2);
    for (const zone of entry.zones) expect(isTimeZone(zone)).toBe(true);
    expect(isUsRegion(entry.region)).toBe(true);
    expect(entry.source).toMatch(/49 CFR 71\.\d+/);
    expect(entry.source).toContain('NANPA');
    const place = await geocoder(parsePhoneNumberFromString(`+1${areaCode}2000000`));
    if (place !== null) expect(regionFromPlaceName(place)).toBe(entry.region);
  });

  it('has every US area code that libphonenumber’s own data places in more than one zone', async () => {
    // Zones that keep the same clock today count as one.
    const SAME_CLOCK: Record<string, string> = { 'America/Boise': 'America/Denver', 'America/North_Dakota/Center': 'America/Chicago', 'America/Juneau': 'America/Anchorage' };
    const inTable = new Set(MULTI_ZONE_AREA_CODES.map((entry) => entry.areaCode));
    const missing = [...(await listNanpAreaCodeZones())]
      .filter(([, area]) => area.region !== undefined && new Set([...area.zones].map((zone) => SAME_CLOCK[zone] ?? zone)).size > 1)
      .map(([areaCode]) => areaCode)
      .filter((areaCode) => !inTable.has(areaCode));
    expect(missing).toEqual([]);
  });

  it('names every area code once', () => {
    const codes = MULTI_ZONE_AREA_CODES.map((entry) => entry.areaCode);
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe('CH10 US region names', () => {
  it.each([
    ['California', 'CA'],
    ['Mountain View, CA', 'CA'],
    ['Washington State', 'WA'],
    ['Washington D.C.', 'DC'],
    ['San Antonio, TX', 'TX'],
    ['Chtamstths, VI', 'VI'],
    ['Ontario', undefined],
    ['Toronto, ON', undefined],
    ['Cayman Islands', undefined],
    ['', undefined],
  ])('%j → %s', (description, expected) => {
    expect(regionFromPlaceName(description)).toBe(expected);
  });
});
