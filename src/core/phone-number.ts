import {
  findPhoneNumbersInText,
  isSupportedCountry,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js/max';
import { fail, ok, type Result } from './errors.js';
import { E164_PATTERN } from './rows.js';

export type { CountryCode };

/** Extensions are dialed as DTMF after the answer, so they are digits only; the database checks the same. */
export const EXTENSION_PATTERN = /^[0-9]{1,10}$/;
export const MAX_EXTENSION_DIGITS = 10;

export interface NormalizedPhone {
  readonly e164: string;
  /** Digits to dial after the answer; never part of `e164`. */
  readonly extension?: string;
  readonly country: string | undefined;
  readonly national: string;
  /** The number as people write it internationally (`+49 30 1234567`), without the extension. */
  readonly international: string;
}

export interface PhoneNumberOptions {
  /**
   * Whether the place the number goes to keeps an extension (a call, a lead). Elsewhere (a caller
   * ID, a forwarding number) a number with an extension is refused rather than silently cut.
   */
  readonly canHaveExtension?: boolean;
}

export function isCountryCode(value: string): value is CountryCode {
  return isSupportedCountry(value);
}

// Characters pasted numbers carry that the library does not skip: zero-width and bidirectional
// marks (Outlook, Teams and RTL pages wrap numbers in U+202A…U+202C), word joiners, BOM, soft hyphen.
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
const SPACES = /[\s\u00A0\u2007\u202F\u3000]+/g;
const DASHES = /[\u2010-\u2015\u2212\u2E3A\u2E3B\uFE58\uFE63\uFF0D]/g;
// Extension words the library does not know (its own: ext, ext., x, #, extension, ;ext= and more).
const EXTENSION_WORDS = /\b(?:durchwahl|nebenstelle|poste)\b\.?:?/giu;

/**
 * Pasted text made plain: invisible characters dropped, every kind of space and dash made the
 * ASCII one, extension words the library does not know spelled as one it does. Everything else
 * (tel: links, labels, punctuation, 00 and 011) is left to libphonenumber-js.
 */
export function tidyPhoneText(text: string): string {
  return text.replace(INVISIBLE, '').replace(DASHES, '-').replace(EXTENSION_WORDS, ' ext. ').replace(SPACES, ' ').trim();
}

type Lead = 'plus' | 'idd-00' | 'idd-011' | 'national';

/** How the number begins: `+`, an international prefix (00 in most countries, 011 in NANP), or neither. */
function readLead(text: string): Lead {
  const start = text.replace(/^tel:/i, '').replace(/^[^\d+\uFF0B]*/, '');
  if (/^[+\uFF0B]/.test(start)) return 'plus';
  const digits = start.replace(/[\s().\-/]/g, '');
  if (digits.startsWith('00')) return 'idd-00';
  if (digits.startsWith('011')) return 'idd-011';
  return 'national';
}

/** A country whose international prefix is the one the number starts with, for the library to strip. */
const IDD_COUNTRY: Readonly<Record<'idd-00' | 'idd-011', CountryCode>> = { 'idd-00': 'DE', 'idd-011': 'US' };

const NUMBER_CHARACTERS_ONLY = /^\+?[0-9][0-9 ().\-/]*$/;

type Found = { kind: 'one'; number: PhoneNumber } | { kind: 'several' } | { kind: 'none' };

/**
 * The one valid number in the text, found by the library. Digits outside the number it found
 * mean a second number or a typo, which is refused rather than guessed at.
 */
function findNumber(text: string, country: CountryCode): Found {
  // A tel: URI (RFC 3966) is the library's parse's own input; its grammar leaves no junk.
  if (/^tel:/i.test(text)) {
    const parsed = parsePhoneNumberFromString(text, country);
    return parsed?.isValid() ? { kind: 'one', number: parsed } : { kind: 'none' };
  }
  // Nothing but a number's own characters: the library's parse reads all of it, so nothing can
  // hide beside the number, and the search (the slower half of the work, felt in a large import) is skipped.
  if (NUMBER_CHARACTERS_ONLY.test(text)) {
    const parsed = parsePhoneNumberFromString(text, country);
    if (parsed?.isValid()) return { kind: 'one', number: parsed };
  }
  const found = findPhoneNumbersInText(text, { defaultCountry: country });
  const [first] = found;
  if (!first) return { kind: 'none' };
  const outside = text.slice(0, first.startsAt) + text.slice(first.endsAt);
  if (found.length > 1 || /\p{Nd}/u.test(outside)) return { kind: 'several' };
  return { kind: 'one', number: first.number };
}

/** Letters (vanity numbers, words) where a number should be; extension words have been read already. */
const LETTERS_AFTER_START = /\p{L}{2,}/u;

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
/** "the United States", "Germany": a country's English name as it reads after "in". */
function nameOf(country: CountryCode): string {
  const name = regionNames.of(country) ?? country;
  return /^(United |Dominican Republic$|Central African Republic$|Netherlands$|Philippines$|Bahamas$|Gambia$|Maldives$)|Islands$/.test(name) ? `the ${name}` : name;
}

/** Why no valid number was found, in one style: the text in quotes, what is wrong, what to do. */
function describeInvalid(text: string, shown: string, lead: Lead, country: CountryCode): string {
  const parsed = parsePhoneNumberFromString(text, lead === 'idd-00' || lead === 'idd-011' ? IDD_COUNTRY[lead] : country);
  let length: ReturnType<typeof validatePhoneNumberLength>;
  try {
    length = validatePhoneNumberLength(parsed ? parsed.number : text, country);
  } catch {
    length = 'NOT_A_NUMBER';
  }
  if (parsed?.isValid()) return `"${shown}" has text around the number that hides it: enter the number alone.`;
  if (!parsed?.ext && LETTERS_AFTER_START.test(text.replace(/^tel:/i, '').replace(/^[^\p{Nd}+\uFF0B]*/u, ''))) {
    return `"${shown}" is not a phone number: use digits only, without letters.`;
  }
  if (length === 'INVALID_COUNTRY') return `"${shown}" is not a valid phone number: no country code starts with these digits after the +.`;
  const reason = length === 'TOO_SHORT' ? 'too short' : length === 'TOO_LONG' ? 'too long' : undefined;
  // Only a number read in the default country is told how to name another; an international one already does.
  if (lead !== 'national') {
    const code = parsed ? ` for +${parsed.countryCallingCode}` : '';
    return `"${shown}" is not a valid phone number${reason ? `: ${reason}${code}` : code}. Check the digits.`;
  }
  const place = nameOf(country);
  return `"${shown}" is not a valid phone number${reason ? `: ${reason} for ${place}` : ` in ${place}`}. Without a +, numbers are read as numbers in ${place}; for another country, start with + and its country code.`;
}

/**
 * Reads a phone number as a person pastes or types it (IN2): `+49 30 1234567 ext. 89`,
 * `tel:+1-415-555-0123;ext=89`, `0049 30 1234567`, `011 44 20 7946 0958`, `Mobile: 415-555-0123`.
 * A number without `+` or an international prefix is read in `defaultCountry`. Only numbers the
 * numbering plan calls valid are accepted, so a typo fails here instead of at the carrier. The
 * extension is returned apart and never merged into the number.
 */
export function normalizePhoneNumber(input: string, defaultCountry: CountryCode = 'US', options: PhoneNumberOptions = {}): Result<NormalizedPhone> {
  const text = tidyPhoneText(input);
  const shown = text.length > 60 ? `${text.slice(0, 57)}…` : text;
  if (text === '') return fail('invalid_phone_number', 'Enter a phone number.');
  if (!/\p{Nd}/u.test(text)) return fail('invalid_phone_number', `"${shown}" is not a phone number: it has no digits.`);

  const lead = readLead(text);
  let found = findNumber(text, defaultCountry);
  // 00 or 011 from another country than the default one: read it as that prefix.
  if (found.kind === 'none' && (lead === 'idd-00' || lead === 'idd-011')) found = findNumber(text, IDD_COUNTRY[lead]);
  if (found.kind === 'several') return fail('invalid_phone_number', `"${shown}" holds more than one number: enter one.`);
  if (found.kind === 'none') return fail('invalid_phone_number', describeInvalid(text, shown, lead, defaultCountry));

  const parsed = found.number;
  // The database stores numbers under the same pattern; a number it would refuse is refused here.
  if (!E164_PATTERN.test(parsed.number)) return fail('invalid_phone_number', `"${shown}" is not a number that can be dialed in E.164 form.`);
  const extension = parsed.ext;
  if (extension !== undefined) {
    if (!options.canHaveExtension) return fail('invalid_phone_number', `"${shown}" has an extension (${extension}), which is not used here: enter the number alone.`);
    if (!EXTENSION_PATTERN.test(extension)) {
      return fail('invalid_phone_number', `"${shown}" has an extension of ${extension.length} digits: at most ${MAX_EXTENSION_DIGITS} can be dialed.`);
    }
  }
  return ok({
    e164: parsed.number,
    ...(extension === undefined ? {} : { extension }),
    country: parsed.country,
    national: parsed.formatNational({ formatExtension: (number) => number }),
    international: parsed.formatInternational({ formatExtension: (number) => number }),
  });
}
