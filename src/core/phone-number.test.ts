import { describe, expect, it } from 'vitest';
import { normalizePhoneNumber, tidyPhoneText, type CountryCode } from './phone-number.js';

const withExtension = { canHaveExtension: true } as const;

describe('IN2 phone numbers are normalised to E.164 by the library', () => {
  // [pasted or typed text, default country, E.164, extension, country]
  it.each<[string, CountryCode, string, string | undefined, string]>([
    ['+1 (415) 555-0123', 'US', '+14155550123', undefined, 'US'],
    ['415.555.0123', 'US', '+14155550123', undefined, 'US'],
    ['(415)555-0123', 'US', '+14155550123', undefined, 'US'],
    ['1-415-555-0123', 'US', '+14155550123', undefined, 'US'],
    ['+44 20 7946 0958', 'US', '+442079460958', undefined, 'GB'],
    ['+44 (0)20 7946 0958', 'US', '+442079460958', undefined, 'GB'],
    ['+49 30 901820', 'US', '+4930901820', undefined, 'DE'],
    ['  +33 1 42 68 53 00 ', 'US', '+33142685300', undefined, 'FR'],
    ['+81 3-3224-9999', 'US', '+81332249999', undefined, 'JP'],
    // A default country other than the US reads national numbers as that country's.
    ['030 1234567', 'DE', '+49301234567', undefined, 'DE'],
    ['030/1234567', 'DE', '+49301234567', undefined, 'DE'],
    ['020 7946 0958', 'GB', '+442079460958', undefined, 'GB'],
    ['06 12 34 56 78', 'FR', '+33612345678', undefined, 'FR'],
    ['(415) 555-0123', 'DE', '+494155550123', undefined, 'DE'],
    // International prefixes: 00 (most countries) and 011 (NANP), whatever the default country.
    ['0049 30 1234567', 'US', '+49301234567', undefined, 'DE'],
    ['0049 30 1234567', 'DE', '+49301234567', undefined, 'DE'],
    ['00 44 20 7946 0958', 'US', '+442079460958', undefined, 'GB'],
    ['011 49 30 1234567', 'US', '+49301234567', undefined, 'DE'],
    ['011 49 30 1234567', 'DE', '+49301234567', undefined, 'DE'],
    ['0011 49 30 1234567', 'AU', '+49301234567', undefined, 'DE'],
    // Extensions in every common spelling, kept apart from the number.
    ['+49 30 1234567 ext. 89', 'US', '+49301234567', '89', 'DE'],
    ['+49 30 1234567 ext 89', 'US', '+49301234567', '89', 'DE'],
    ['+49 30 1234567 Durchwahl 89', 'US', '+49301234567', '89', 'DE'],
    ['+33 1 42 68 53 00 poste 12', 'US', '+33142685300', '12', 'FR'],
    ['+1 415 555 0123 x89', 'US', '+14155550123', '89', 'US'],
    ['+1 415 555 0123 x. 89', 'US', '+14155550123', '89', 'US'],
    ['+1 415 555 0123 #89', 'US', '+14155550123', '89', 'US'],
    ['+1 415 555 0123 ext. 89#', 'US', '+14155550123', '89', 'US'],
    ['+1 415 555 0123 extension 89', 'US', '+14155550123', '89', 'US'],
    ['+1 415 555 0123;ext=89', 'US', '+14155550123', '89', 'US'],
    ['+1-415-555-0123,,89', 'US', '+14155550123', '89', 'US'],
    ['(415) 555-0123 ext 7', 'US', '+14155550123', '7', 'US'],
    ['+1 415 555 0123 ext 1234567890', 'US', '+14155550123', '1234567890', 'US'],
    // tel: links (RFC 3966), with an extension or a phone-context.
    ['tel:+14155550123', 'US', '+14155550123', undefined, 'US'],
    ['tel:+1-415-555-0123;ext=89', 'US', '+14155550123', '89', 'US'],
    ['tel:0301234567;phone-context=+49', 'US', '+49301234567', undefined, 'DE'],
    // Invisible characters, other spaces and dashes, fullwidth forms.
    ['\u202A+1\u00A0415\u2011555\u20130123\u202C', 'US', '+14155550123', undefined, 'US'],
    ['\u200B+1 (415) 555\u22120123\uFEFF', 'US', '+14155550123', undefined, 'US'],
    ['+49\u202F30\u202F1234567\u2060', 'US', '+49301234567', undefined, 'DE'],
    ['415\u2014555\u20100123', 'US', '+14155550123', undefined, 'US'],
    ['\uFF0B\uFF11 \uFF14\uFF11\uFF15 \uFF15\uFF15\uFF15 \uFF10\uFF11\uFF12\uFF13', 'US', '+14155550123', undefined, 'US'],
    ['415\uFF0D555\uFF0D0123', 'US', '+14155550123', undefined, 'US'],
    // Labels and punctuation around one number.
    ['Phone: +44 20 7946 0958\n', 'US', '+442079460958', undefined, 'GB'],
    ['Tel.: +1 (415) 555-0123 (mobile)', 'US', '+14155550123', undefined, 'US'],
    ['"+1 415 555 0123"', 'US', '+14155550123', undefined, 'US'],
    ['<+1 415 555 0123>.', 'US', '+14155550123', undefined, 'US'],
  ])('%j read in %s -> %s ext %s', (input, country, e164, extension, numberCountry) => {
    const result = normalizePhoneNumber(input, country, withExtension);
    expect(result).toEqual({ ok: true, value: expect.objectContaining({ e164, country: numberCountry }) });
    if (result.ok) expect(result.value.extension).toBe(extension);
  });

  it('IN2 "+49 30 1234567 ext. 89" is +49301234567 with extension 89, never +4930123456789', () => {
    const result = normalizePhoneNumber('+49 30 1234567 ext. 89', 'US', withExtension);
    expect(result).toEqual({ ok: true, value: { e164: '+49301234567', extension: '89', country: 'DE', national: '030 1234567', international: '+49 30 1234567' } });
  });

  it('defaults to the US for numbers without +', () => {
    expect(normalizePhoneNumber('415 555 0123')).toMatchObject({ ok: true, value: { e164: '+14155550123' } });
  });

  it.each<[string, CountryCode]>([
    ['', 'US'],
    ['   ', 'US'],
    ['12', 'US'],
    ['+1415', 'US'],
    ['call me', 'US'],
    ['+999 123 456 789', 'US'],
    ['415-555-01234567', 'US'],
    ['415-555-0123 or 415-555-0199', 'US'],
    ['+1 415 555 0123 / 0199', 'US'],
    ['2. +1 415 555 0123', 'US'],
    ['4155550123abc', 'US'],
    ['+1 415 555 0123 ext 12345678901', 'US'],
    ['011 49 30', 'US'],
    ['0049 1', 'US'],
    ['+44 7700 900123', 'US'],
    ['030 1', 'DE'],
    ['+1 415 CALL NOW', 'US'],
    ['+1 415 555 01 ext 89', 'US'],
  ])('IN1 refuses %j (%s) with invalid_phone_number and a sentence', (input, country) => {
    const result = normalizePhoneNumber(input, country, withExtension);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid_phone_number');
      expect(result.error.message).toMatch(/^(Enter a phone number\.|"[^"]+" [^]+\.)$/);
    }
  });

  it.each(['+1415', '+44 7700 900123', '0049 1', '011 49 30', '+1 415 555 01234567', '+999 123 456 789', '+33 1 42'])(
    'IN1 a number that is already international (%j) is never told to use the international form',
    (input) => {
      const result = normalizePhoneNumber(input, 'US', withExtension);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.message).not.toMatch(/international|start with \+|country code;/i);
        expect(result.error.message).toMatch(/check the digits|no country code starts/i);
      }
    },
  );

  it('IN1 a national number that does not fit says how it was read and how to name another country', () => {
    const us = normalizePhoneNumber('4155', 'US');
    expect(us).toMatchObject({ ok: false, error: { message: expect.stringContaining('read as numbers in the United States; for another country, start with +') } });
    const de = normalizePhoneNumber('030 1', 'DE');
    expect(de).toMatchObject({ ok: false, error: { message: expect.stringContaining('read as numbers in Germany') } });
  });

  it.each([
    ['12345', 'US', '"12345" is not a valid phone number: too short for the United States. Without a +, numbers are read as numbers in the United States; for another country, start with + and its country code.'],
    ['+1415', 'US', '"+1415" is not a valid phone number: too short for +1. Check the digits.'],
    ['0049 1', 'US', '"0049 1" is not a valid phone number: too short. Check the digits.'],
    ['+44 7700 900123', 'US', '"+44 7700 900123" is not a valid phone number for +44. Check the digits.'],
    ['+999 123 456 789', 'US', '"+999 123 456 789" is not a valid phone number: no country code starts with these digits after the +.'],
    ['+1 415 CALL NOW', 'US', '"+1 415 CALL NOW" is not a phone number: use digits only, without letters.'],
    ['+1 415 555 01 ext 89', 'US', '"+1 415 555 01 ext 89" is not a valid phone number: too short for +1. Check the digits.'],
    ['415-555-0123 or 415-555-0199', 'US', '"415-555-0123 or 415-555-0199" holds more than one number: enter one.'],
    ['+1 415 555 0123 ext 12345678901', 'US', '"+1 415 555 0123 ext 12345678901" has an extension of 11 digits: at most 10 can be dialed.'],
  ] as const)('IN1 %j says: %s', (input, country, message) => {
    expect(normalizePhoneNumber(input, country, withExtension)).toEqual({ ok: false, error: { code: 'invalid_phone_number', message } });
  });

  it('refuses an extension where none can be kept (a caller ID), rather than dropping it', () => {
    const result = normalizePhoneNumber('+1 415 555 0123 x89');
    expect(result).toEqual({ ok: false, error: { code: 'invalid_phone_number', message: '"+1 415 555 0123 x89" has an extension (89), which is not used here: enter the number alone.' } });
  });

  it('never puts the extension into the number', () => {
    for (const input of ['+1 415 555 0123 ext 5', '+1 415 555 0123 x 55', '+1 415 555 0123;ext=555']) {
      const result = normalizePhoneNumber(input, 'US', withExtension);
      expect(result).toMatchObject({ ok: true, value: { e164: '+14155550123' } });
    }
  });
});

describe('tidyPhoneText', () => {
  it('drops invisible characters and makes spaces and dashes plain, leaving the rest to the library', () => {
    expect(tidyPhoneText('\u202A+49\u00A030\u2009123\u20134567\u202C')).toBe('+49 30 123-4567');
    expect(tidyPhoneText('tel:+1-415-555-0123;ext=89')).toBe('tel:+1-415-555-0123;ext=89');
    expect(tidyPhoneText('+49 30 1234567 Durchwahl: 89')).toBe('+49 30 1234567 ext. 89');
  });
});
