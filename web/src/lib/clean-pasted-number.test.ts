import { describe, expect, it } from 'vitest';
import { cleanPastedNumber } from './clean-pasted-number.js';

describe('cleanPastedNumber', () => {
  it('keeps the number from a tel: link, a signature line or a spreadsheet cell', () => {
    expect(cleanPastedNumber('tel:+1 (415) 555-0123')).toBe('+1 (415) 555-0123');
    expect(cleanPastedNumber('Phone: +44 20 7946 0958\n')).toBe('+44 20 7946 0958');
    expect(cleanPastedNumber('\t415.555.0123 ')).toBe('415.555.0123');
  });
});
