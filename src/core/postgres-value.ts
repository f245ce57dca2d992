import { compareInstants, readTimestamptz, type Instant } from './postgres-timestamp.js';

/**
 * Filter values read and compared as Postgres reads and compares them for a column's type, so
 * a realtime filter keeps exactly the rows a REST select with the same filter returns (where
 * Postgres casts the text to the column's type). A value Postgres would refuse is `invalid`
 * (REST answers 22P02, 22003 or 22008 for it); a value Postgres may take but realtime cannot
 * promise to read the same way is `unsupported`. Both refuse a subscription, with the reason.
 */

/** The column types realtime filters compare, by Postgres' `udt_name`. */
const TYPE_FAMILIES = {
  // Not varchar(n) or char(n): the cast REST makes truncates or pads the value first.
  text: 'text',
  uuid: 'uuid',
  int2: 'integer',
  int4: 'integer',
  int8: 'integer',
  numeric: 'numeric',
  float8: 'float',
  bool: 'boolean',
  timestamptz: 'timestamptz',
} as const;
export type FilterableType = keyof typeof TYPE_FAMILIES;

export function isFilterableType(type: string | undefined): type is FilterableType {
  return type !== undefined && Object.hasOwn(TYPE_FAMILIES, type);
}

/** A finite decimal as coefficient × 10^exponent, or Postgres' special numeric values. */
export type Decimal = { readonly kind: 'finite'; readonly coefficient: bigint; readonly exponent: number } | { readonly kind: 'nan' | 'infinity' | '-infinity' };

export type PostgresValue =
  | { readonly family: 'text'; readonly value: string }
  /** 32 lower-case hex digits: uuids compare by their bytes, which this order is. */
  | { readonly family: 'uuid'; readonly value: string }
  | { readonly family: 'integer'; readonly value: bigint }
  | { readonly family: 'numeric'; readonly value: Decimal }
  | { readonly family: 'float'; readonly value: number }
  | { readonly family: 'boolean'; readonly value: boolean }
  | { readonly family: 'timestamptz'; readonly value: Instant };

export type ValueRead =
  | { readonly ok: true; readonly value: PostgresValue }
  | { readonly ok: false; readonly isUnsupported: boolean; readonly reason: string };

const INTEGER_RANGES: Readonly<Record<'int2' | 'int4' | 'int8', readonly [bigint, bigint, string]>> = {
  int2: [-32_768n, 32_767n, 'smallint'],
  int4: [-2_147_483_648n, 2_147_483_647n, 'integer'],
  int8: [-9_223_372_036_854_775_808n, 9_223_372_036_854_775_807n, 'bigint'],
};

/** isspace() in the C locale, which Postgres' number and boolean input skip around a value. */
const C_SPACE = '[ \\t\\n\\v\\f\\r]*';
const DECIMAL_INTEGER = new RegExp(`^${C_SPACE}([+-]?\\d+)${C_SPACE}$`);
const DECIMAL_NUMBER = new RegExp(`^${C_SPACE}([+-]?)(\\d*)(?:\\.(\\d*))?(?:[eE]([+-]?\\d+))?${C_SPACE}$`);
const SPECIAL_NUMBER = new RegExp(`^${C_SPACE}([+-]?)(nan|infinity|inf)${C_SPACE}$`, 'i');
const BOOLEAN_WORDS: ReadonlyArray<readonly [string, boolean, number]> = [
  // word, value, shortest prefix Postgres accepts ('o' alone is ambiguous)
  ['true', true, 1],
  ['false', false, 1],
  ['yes', true, 1],
  ['no', false, 1],
  ['on', true, 2],
  ['off', false, 2],
];
const MAX_DECIMAL_EXPONENT = 1000;
// Postgres 16 added 0x/0o/0b literals and _ separators; Postgres 15 refuses them.
const NON_DECIMAL_LITERAL = /_|0[xXoObB]/;

const invalid = (reason: string): ValueRead => ({ ok: false, isUnsupported: false, reason });
const unsupported = (reason: string): ValueRead => ({ ok: false, isUnsupported: true, reason });

/** A filter value, as `'<text>'::<type>` would read it. */
export function readFilterValue(type: FilterableType, text: string): ValueRead {
  if (text.includes('\0')) return invalid('a value cannot contain the NUL character');
  if (/\p{Surrogate}/u.test(text)) return unsupported('the value is not valid Unicode');
  switch (type) {
    case 'text':
      return { ok: true, value: { family: 'text', value: text } };
    case 'uuid': {
      const hex = readUuid(text);
      return hex === undefined ? invalid(`invalid input syntax for type uuid: "${text}"`) : { ok: true, value: { family: 'uuid', value: hex } };
    }
    case 'int2':
    case 'int4':
    case 'int8': {
      const [min, max, name] = INTEGER_RANGES[type];
      const digits = DECIMAL_INTEGER.exec(text)?.[1];
      if (digits === undefined) {
        return NON_DECIMAL_LITERAL.test(text) ? unsupported(`"${text}": write integers in decimal digits`) : invalid(`invalid input syntax for type ${name}: "${text}"`);
      }
      const value = BigInt(digits);
      if (value < min || value > max) return invalid(`value "${text}" is out of range for type ${name}`);
      return { ok: true, value: { family: 'integer', value } };
    }
    case 'numeric': {
      const value = readDecimal(text);
      if (value === undefined) return NON_DECIMAL_LITERAL.test(text) ? unsupported(`"${text}": write numbers in decimal digits`) : invalid(`invalid input syntax for type numeric: "${text}"`);
      if (value.kind === 'finite' && Math.abs(value.exponent) > MAX_DECIMAL_EXPONENT) return unsupported(`"${text}" has an exponent beyond ${MAX_DECIMAL_EXPONENT}`);
      return { ok: true, value: { family: 'numeric', value } };
    }
    case 'float8':
      return readFloat(text);
    case 'bool': {
      const value = readBoolean(text);
      return value === undefined ? invalid(`invalid input syntax for type boolean: "${text}"`) : { ok: true, value: { family: 'boolean', value } };
    }
    case 'timestamptz': {
      const instant = readTimestamptz(text);
      if (!instant.ok) return instant.isUnsupported ? unsupported(instant.reason) : invalid(instant.reason);
      return { ok: true, value: { family: 'timestamptz', value: instant.value } };
    }
    default: {
      const unreachable: never = type;
      throw new Error(`unknown type ${String(unreachable)}`);
    }
  }
}

/**
 * A stored value as a row carries it in the change feed (to_jsonb's JSON: numbers as numbers,
 * timestamps as ISO text); undefined for SQL NULL or a value the type cannot hold.
 */
export function readStoredValue(type: FilterableType, stored: unknown): PostgresValue | undefined {
  if (stored === null || stored === undefined) return undefined;
  if (type === 'bool') return typeof stored === 'boolean' ? { family: 'boolean', value: stored } : undefined;
  if (typeof stored === 'number' && (type === 'int2' || type === 'int4' || type === 'int8')) {
    return Number.isSafeInteger(stored) ? { family: 'integer', value: BigInt(stored) } : undefined;
  }
  if (typeof stored === 'number' && type === 'float8') return { family: 'float', value: stored };
  const text = typeof stored === 'string' ? stored : typeof stored === 'number' ? String(stored) : undefined;
  if (text === undefined) return undefined;
  const read = readFilterValue(type, text);
  return read.ok ? read.value : undefined;
}

/** -1, 0 or 1, as Postgres orders two values of one type (text by code point: the C collation). */
export function compareValues(a: PostgresValue, b: PostgresValue): number {
  switch (a.family) {
    case 'text':
      return b.family === a.family ? compareCodePoints(a.value, b.value) : mismatch(a, b);
    case 'uuid':
      return b.family === a.family ? (a.value === b.value ? 0 : a.value < b.value ? -1 : 1) : mismatch(a, b);
    case 'integer':
      return b.family === a.family ? (a.value === b.value ? 0 : a.value < b.value ? -1 : 1) : mismatch(a, b);
    case 'numeric':
      return b.family === a.family ? compareDecimals(a.value, b.value) : mismatch(a, b);
    case 'float':
      return b.family === a.family ? compareFloats(a.value, b.value) : mismatch(a, b);
    case 'boolean':
      return b.family === a.family ? Number(a.value) - Number(b.value) : mismatch(a, b);
    case 'timestamptz':
      return b.family === a.family ? compareInstants(a.value, b.value) : mismatch(a, b);
    default: {
      const unreachable: never = a;
      throw new Error(`unknown value ${JSON.stringify(unreachable)}`);
    }
  }
}

function mismatch(a: PostgresValue, b: PostgresValue): never {
  throw new Error(`cannot compare a ${a.family} with a ${b.family}`);
}

/**
 * Code point order, which is the byte order of UTF-8 and so the order of the C collation.
 * JavaScript's `<` compares UTF-16 units, which puts U+10000 and above before U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const x = a.charCodeAt(index);
    const y = b.charCodeAt(index);
    if (x !== y) return Math.sign(codePointRank(x) - codePointRank(y));
  }
  return Math.sign(a.length - b.length);
}

/** Moves surrogates (U+D800..U+DFFF, the halves of code points above U+FFFF) after U+FFFF. */
function codePointRank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit;
}

/** uuid_in: 32 hex digits, a hyphen allowed after any group of four, optionally in braces. */
function readUuid(text: string): string | undefined {
  let body = text;
  if (body.startsWith('{')) {
    if (!body.endsWith('}')) return undefined;
    body = body.slice(1, -1);
  }
  let hex = '';
  let index = 0;
  while (hex.length < 32) {
    const pair = body.slice(index, index + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) return undefined;
    hex += pair.toLowerCase();
    index += 2;
    if (body[index] === '-' && hex.length % 4 === 0 && hex.length < 32) index++;
  }
  return index === body.length ? hex : undefined;
}

/** boolin: a word or a unique prefix of one, in any case, or 1 / 0, with spaces around. */
function readBoolean(text: string): boolean | undefined {
  const word = text.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '').toLowerCase();
  if (word === '1') return true;
  if (word === '0') return false;
  for (const [candidate, value, shortest] of BOOLEAN_WORDS) {
    if (word.length >= shortest && candidate.startsWith(word)) return value;
  }
  return undefined;
}

function readDecimal(text: string): Decimal | undefined {
  const special = SPECIAL_NUMBER.exec(text);
  if (special) {
    const [, sign = '', word = ''] = special;
    if (word.toLowerCase() === 'nan') return sign === '' ? { kind: 'nan' } : undefined;
    return { kind: sign === '-' ? '-infinity' : 'infinity' };
  }
  const match = DECIMAL_NUMBER.exec(text);
  if (!match) return undefined;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  if (whole === '' && fraction === '') return undefined;
  const coefficient = BigInt(`${sign === '-' ? '-' : ''}${whole}${fraction}` || '0');
  return { kind: 'finite', coefficient, exponent: Number(exponent) - fraction.length };
}

function compareDecimals(a: Decimal, b: Decimal): number {
  // Postgres sorts NaN above every number (and equal to itself), infinities at the ends.
  const rank = (d: Decimal) => (d.kind === 'nan' ? 2 : d.kind === 'infinity' ? 1 : d.kind === '-infinity' ? -1 : 0);
  const byRank = rank(a) - rank(b);
  if (byRank !== 0 || a.kind !== 'finite' || b.kind !== 'finite') return Math.sign(byRank);
  const shift = a.exponent - b.exponent;
  const [x, y] = shift >= 0 ? [a.coefficient * 10n ** BigInt(shift), b.coefficient] : [a.coefficient, b.coefficient * 10n ** BigInt(-shift)];
  return x === y ? 0 : x < y ? -1 : 1;
}

function readFloat(text: string): ValueRead {
  const special = SPECIAL_NUMBER.exec(text);
  if (special) {
    const [, sign = '', word = ''] = special;
    const value = word.toLowerCase() === 'nan' ? NaN : sign === '-' ? -Infinity : Infinity;
    return { ok: true, value: { family: 'float', value } };
  }
  const match = DECIMAL_NUMBER.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) {
    return NON_DECIMAL_LITERAL.test(text) ? unsupported(`"${text}": write numbers in decimal digits`) : invalid(`invalid input syntax for type double precision: "${text}"`);
  }
  const value = Number(text.trim());
  const isZeroWritten = !/[1-9]/.test(`${match[2] ?? ''}${match[3] ?? ''}`);
  if (!Number.isFinite(value) || (value === 0 && !isZeroWritten)) return invalid(`"${text}" is out of range for type double precision`);
  return { ok: true, value: { family: 'float', value } };
}

/** float8 order: NaN equals NaN and sorts above every number; -0 equals 0. */
function compareFloats(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
  return a === b ? 0 : a < b ? -1 : 1;
}
