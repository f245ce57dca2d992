import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { fail, ok, type Result } from './errors.js';
import { E164_PATTERN } from './rows.js';

export interface NormalizedPhone {
  readonly e164: string;
  readonly country: string | undefined;
  readonly national: string;
}

/**
 * Normalises a dialled number to E.164 (IN2). A number without a leading + is read in
 * `defaultCountry`. Only numbers the numbering plan calls valid are accepted, so a typo
 * fails here instead of at the carrier.
 */
export function normalizePhoneNumber(input: string, defaultCountry: CountryCode = 'US'): Result<NormalizedPhone> {
  const trimmed = input.trim();
  if (trimmed === '') return fail('invalid_phone_number', 'Enter a phone number.');
  if (!/^[\d\s()+.\-/]+$/.test(trimmed)) {
    return fail('invalid_phone_number', `"${trimmed}" is not a phone number: use digits, spaces and an optional leading +.`);
  }
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry);
  if (!parsed || !parsed.isValid()) {
    return fail('invalid_phone_number', `"${trimmed}" is not a valid phone number. Use the international form, e.g. +14155550123.`);
  }
  // The database stores numbers under the same pattern; a number it would refuse is refused here.
  if (!E164_PATTERN.test(parsed.number)) return fail('invalid_phone_number', `"${trimmed}" is not a number that can be dialled in E.164 form.`);
  return ok({ e164: parsed.number, country: parsed.country, national: parsed.formatNational() });
}
