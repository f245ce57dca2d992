import { normalizePhoneNumber, tidyPhoneText, type CountryCode } from '../../../src/core/phone-number.js';

/**
 * What a paste puts in the number field. The server's own reading (src/core/phone-number.ts)
 * decides: a number it reads is written as people write it internationally, with its extension
 * apart ("+49 30 1234567 ext. 89"); anything else is kept, made plain, for the field to explain.
 */
export function cleanPastedNumber(text: string, defaultCountry: CountryCode = 'US'): string {
  const read = normalizePhoneNumber(text, defaultCountry, { canHaveExtension: true });
  if (!read.ok) return tidyPhoneText(text);
  const { international, extension } = read.value;
  return extension === undefined ? international : `${international} ext. ${extension}`;
}
