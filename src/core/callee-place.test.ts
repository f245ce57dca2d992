import { describe, expect, it } from 'vitest';
import { readRegion, readTimeZone, US_REGIONS } from './callee-place.js';

const zone = (text: string) => {
  const read = readTimeZone(text);
  return read.ok ? read.value : `refused: ${read.error.message}`;
};
const region = (text: string) => {
  const read = readRegion(text);
  return read.ok ? read.value : `refused: ${read.error.message}`;
};

describe('readTimeZone', () => {
  it.each([
    ['America/Chicago', 'America/Chicago'],
    ['  america/new_york ', 'America/New_York'],
    ['US/Pacific', 'America/Los_Angeles'],
    ['Europe/Berlin', 'Europe/Berlin'],
    ['UTC', 'UTC'],
    // US abbreviations and words name the zone with its daylight-saving rule, not a fixed offset.
    ['EST', 'America/New_York'],
    ['edt', 'America/New_York'],
    ['Eastern', 'America/New_York'],
    ['Eastern Standard Time', 'America/New_York'],
    ['Central Time (US & Canada)', 'America/Chicago'],
    ['(GMT-06:00) Central Time (US & Canada)', 'America/Chicago'],
    ['CST', 'America/Chicago'],
    ['MST', 'America/Denver'],
    ['Mountain', 'America/Denver'],
    ['Arizona', 'America/Phoenix'],
    ['PST', 'America/Los_Angeles'],
    ['Pacific Daylight Time', 'America/Los_Angeles'],
    ['AKST', 'America/Anchorage'],
    ['HST', 'Pacific/Honolulu'],
    ['Hawaii-Aleutian', 'Pacific/Honolulu'],
    ['AST', 'America/Puerto_Rico'],
  ])('%s is %s', (text, expected) => {
    expect(zone(text)).toBe(expected);
  });

  it.each(['-05:00', 'GMT-5', 'UTC+01:00', '+0530'])('refuses the offset %s, saying why', (text) => {
    expect(zone(text)).toMatch(/is a UTC offset, not a time zone: an offset does not say when daylight saving time applies/);
  });

  it.each(['Mars/Olympus', 'Easternish', 'constructor', '__proto__', 'toString', 'x'])('refuses %s as no time zone', (text) => {
    expect(zone(text)).toBe(`refused: "${text}" is not a time zone: use an IANA name such as America/Chicago, or EST, CST, MST, PST, AKST, HST.`);
  });

  it('every zone it names is one the runtime and the database accept', () => {
    for (const text of ['EST', 'CST', 'MST', 'Arizona', 'PST', 'AKST', 'HST', 'AST', 'ChST', 'SST']) {
      const read = readTimeZone(text);
      expect(read.ok, text).toBe(true);
      if (read.ok) {
        expect(read.value).toMatch(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/);
        expect(new Intl.DateTimeFormat('en-US', { timeZone: read.value }).resolvedOptions().timeZone).toBe(read.value);
      }
    }
  });
});

describe('readRegion', () => {
  it.each([
    ['TX', 'TX'],
    [' tx ', 'TX'],
    ['Texas', 'TX'],
    ['new york', 'NY'],
    ['NEW   HAMPSHIRE', 'NH'],
    ['District of Columbia', 'DC'],
    ['Washington, D.C.', 'DC'],
    ['Washington', 'WA'],
    ['Puerto Rico', 'PR'],
    ['U.S. Virgin Islands', 'VI'],
  ])('%s is %s', (text, expected) => {
    expect(region(text)).toBe(expected);
  });

  it.each(['Ontario', 'ON', 'XX', 'Bavaria', 'T', 'constructor'])('refuses %s', (text) => {
    expect(region(text)).toBe(`refused: "${text}" is not a US state or territory: use its name or its two-letter USPS code (e.g. TX or Texas).`);
  });

  it('knows 50 states, DC and 5 territories, each a two-letter code', () => {
    expect(Object.keys(US_REGIONS)).toHaveLength(56);
    for (const code of Object.keys(US_REGIONS)) expect(code).toMatch(/^[A-Z]{2}$/);
  });
});
