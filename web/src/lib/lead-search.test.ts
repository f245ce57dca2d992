import { describe, expect, it } from 'vitest';
import { leadSearchFilter, likeValue, phoneDigits } from './lead-search.js';

describe('leadSearchFilter (LS1): the lead search as a PostgREST or= tree', () => {
  it('matches the phone only when the query is a number', () => {
    expect(leadSearchFilter('Company 28')).toBe('name.ilike."*Company 28*",company.ilike."*Company 28*",email.ilike."*Company 28*"');
    expect(leadSearchFilter('zzz 1')).not.toContain('phone');
    expect(leadSearchFilter('(415) 555-01')).toContain('phone.like."*41555501*"');
    expect(leadSearchFilter('+49 30 1234')).toContain('phone.like."*49301234*"');
  });

  it('quotes what the user typed and escapes LIKE wildcards', () => {
    expect(likeValue('Acme, Inc (West)')).toBe('"*Acme, Inc (West)*"');
    expect(likeValue('50%_off')).toBe('"*50\\\\%\\\\_off*"');
    expect(likeValue('say "hi"')).toBe('"*say \\"hi\\"*"');
    expect(likeValue('a*b')).toBe('"*ab*"');
  });

  it('is null for an empty query', () => {
    expect(leadSearchFilter('   ')).toBeNull();
    expect(phoneDigits('12a')).toBeNull();
  });
});
