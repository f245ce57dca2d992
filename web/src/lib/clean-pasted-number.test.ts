import { describe, expect, it } from 'vitest';
import { normalizePhoneNumber } from '../../../src/core/phone-number.js';
import { cleanPastedNumber } from './clean-pasted-number.js';

describe('cleanPastedNumber reads a paste with the server’s rules', () => {
  it.each([
    ['tel:+1 (415) 555-0123', '+1 415 555 0123'],
    ['Phone: +44 20 7946 0958\n', '+44 20 7946 0958'],
    ['\t415.555.0123 ', '+1 415 555 0123'],
    ['tel:+1-415-555-0123;ext=89', '+1 415 555 0123 ext. 89'],
    ['0049 30 1234567', '+49 30 1234567'],
    ['011 44 20 7946 0958', '+44 20 7946 0958'],
    ['\u202A+1\u00A0415\u2011555\u20130123\u202C', '+1 415 555 0123'],
  ])('%j -> %j', (pasted, shown) => {
    expect(cleanPastedNumber(pasted)).toBe(shown);
  });

  it('keeps the extension apart: "+49 30 1234567 ext. 89" never becomes +4930123456789', () => {
    const shown = cleanPastedNumber('+49 30 1234567 ext. 89');
    expect(shown).toBe('+49 30 1234567 ext. 89');
    expect(normalizePhoneNumber(shown, 'US', { canHaveExtension: true })).toMatchObject({ ok: true, value: { e164: '+49301234567', extension: '89' } });
  });

  it('reads a number without + in the default country given', () => {
    expect(cleanPastedNumber('030 1234567', 'DE')).toBe('+49 30 1234567');
  });

  it('leaves what it cannot read for the field to explain, without invisible characters', () => {
    expect(cleanPastedNumber('\u200Bcall me\u200B')).toBe('call me');
    expect(cleanPastedNumber('415-555-0123 or 415-555-0199')).toBe('415-555-0123 or 415-555-0199');
  });
});
