import { describe, expect, it } from 'vitest';
import { compareValues, readFilterValue, readStoredValue, type FilterableType } from './postgres-value.js';

function read(type: FilterableType, text: string) {
  const value = readFilterValue(type, text);
  if (!value.ok) throw new Error(value.reason);
  return value.value;
}
const compare = (type: FilterableType, a: string, b: string) => compareValues(read(type, a), read(type, b));
const refusal = (type: FilterableType, text: string) => {
  const value = readFilterValue(type, text);
  return value.ok ? 'accepted' : value.isUnsupported ? 'unsupported' : 'invalid';
};

describe('values read and compared as Postgres does', () => {
  it('uuid: any case, hyphens after any group of four, braces', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    for (const form of [id.toUpperCase(), '{0f8fad5bd9cb469fa16570867728950e}', '0f8f-ad5b-d9cb-469f-a165-7086-7728-950e']) expect(compare('uuid', form, id)).toBe(0);
    for (const bad of ['', 'x', `${id}0`, ` ${id}`, '0f8fad5b-d9cb-469f-a165-70867728950', '{0f8fad5b-d9cb-469f-a165-70867728950e', '0f8fa-d5bd9cb469fa16570867728950e']) {
      expect(refusal('uuid', bad), bad).toBe('invalid');
    }
  });

  it('integers: numbers, not text (10 > 9), with the type\'s range', () => {
    expect(compare('int4', '10', '9')).toBe(1);
    expect(compare('int4', ' +007 ', '7')).toBe(0);
    expect(compare('int8', '9223372036854775807', '9223372036854775806')).toBe(1);
    expect(refusal('int4', '2147483648')).toBe('invalid');
    expect(refusal('int2', '-32769')).toBe('invalid');
    for (const bad of ['', '1.5', 'abc', '1e3', '- 1']) expect(refusal('int4', bad), bad).toBe('invalid');
    // Postgres 16 reads these, Postgres 15 refuses them: realtime does not guess.
    for (const newer of ['0x1A', '1_000']) expect(refusal('int4', newer), newer).toBe('unsupported');
  });

  it('numeric and float8: exact decimals, NaN above every number', () => {
    expect(compare('numeric', '0.10', '.1')).toBe(0);
    expect(compare('numeric', '1e2', '99.999999999999999999')).toBe(1);
    expect(compare('numeric', 'NaN', 'Infinity')).toBe(1);
    expect(compare('numeric', '-inf', '-1e300')).toBe(-1);
    expect(compare('float8', '-0', '0')).toBe(0);
    expect(compare('float8', 'nan', 'NaN')).toBe(0);
    expect(refusal('float8', '1e400')).toBe('invalid');
    expect(refusal('numeric', '1.2.3')).toBe('invalid');
  });

  it('boolean: every spelling boolin takes', () => {
    for (const yes of ['t', 'TRUE', 'tr', 'y', 'yes', 'on', '1', ' true ']) expect(read('bool', yes), yes).toEqual({ family: 'boolean', value: true });
    for (const no of ['f', 'False', 'n', 'no', 'of', 'off', '0']) expect(read('bool', no), no).toEqual({ family: 'boolean', value: false });
    for (const bad of ['', 'o', 'onn', 'truee', '2', 'yess']) expect(refusal('bool', bad), bad).toBe('invalid');
  });

  it('timestamptz: instants to the microsecond, in any offset', () => {
    expect(compare('timestamptz', '2026-01-01T01:00:00+01:00', '2026-01-01 00:00:00Z')).toBe(0);
    expect(compare('timestamptz', '2026-01-01T00:00:00.000001Z', '2026-01-01T00:00:00Z')).toBe(1);
    expect(compare('timestamptz', '2026-01-01T05:30+0530', '2026-01-01T00:00:00.000000000Z')).toBe(0);
    expect(compare('timestamptz', 'infinity', '9999-12-31T23:59:59.999999Z')).toBe(1);
    expect(compare('timestamptz', '-infinity', '0001-01-01T00:00:00Z')).toBe(-1);
    expect(compare('timestamptz', 'epoch', '1970-01-01T00:00:00+00:00')).toBe(0);
    expect(compare('timestamptz', '2024-02-29T00:00:00Z', '2024-02-28T23:59:59.999999Z')).toBe(1);
    for (const bad of ['2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T25:00:00Z', '2026-01-01T00:60:00Z']) expect(refusal('timestamptz', bad), bad).toBe('invalid');
    for (const vague of ['2026-01-01', '2026-01-01T00:00:00', 'now', 'Jan 1 2026', '2026-01-01T00:00:00.0000001Z']) expect(refusal('timestamptz', vague), vague).toBe('unsupported');
  });

  it('text: code point order, the C collation\'s, not UTF-16 order', () => {
    expect(compare('text', 'B', 'a')).toBe(-1);
    expect(compare('text', '\u{1F600}', '\uFFFD')).toBe(1);
    expect(compare('text', 'ab', 'a')).toBe(1);
    expect(refusal('text', 'a\0b')).toBe('invalid');
  });

  it('reads stored values in the change feed\'s JSON form', () => {
    expect(readStoredValue('int4', 3)).toEqual({ family: 'integer', value: 3n });
    expect(readStoredValue('timestamptz', '2026-01-01T00:00:00.123456+00:00')).toEqual(read('timestamptz', '2026-01-01T00:00:00.123456Z'));
    expect(readStoredValue('bool', true)).toEqual({ family: 'boolean', value: true });
    expect(readStoredValue('uuid', null)).toBeUndefined();
  });
});
