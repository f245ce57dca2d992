import { describe, expect, it } from 'vitest';
import { normalizePhoneNumber } from './phone-number.js';

describe('IN2 phone numbers are normalised to E.164', () => {
  it.each([
    ['+1 (415) 555-0123', '+14155550123', 'US'],
    ['415.555.0123', '+14155550123', 'US'],
    ['+44 20 7946 0958', '+442079460958', 'GB'],
    ['+49 30 901820', '+4930901820', 'DE'],
    ['  +33 1 42 68 53 00 ', '+33142685300', 'FR'],
  ])('%s -> %s', (input, e164, country) => {
    const result = normalizePhoneNumber(input);
    expect(result).toMatchObject({ ok: true, value: { e164, country } });
  });

  it.each(['', '12', '+1415', 'call me', '+999 123 456 789', '415-555-01234567', '+1 415 555 0123; drop table'])('refuses %j', (input) => {
    const result = normalizePhoneNumber(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid_phone_number');
      expect(result.error.message.length).toBeGreaterThan(10);
    }
  });
});
