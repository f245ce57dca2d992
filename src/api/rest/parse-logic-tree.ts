import { COMPARE_OPERATORS, FILTER_OPERATORS, IS_VALUES } from '../../core/filter-grammar.js';
import type { Filter } from './parse-params.js';
import { parsed, refused, restErrors, type Parsed } from './rest-error.js';

/**
 * PostgREST's logic trees: `or=(name.ilike.*acme*,company.ilike.*acme*)`, `and=(...)`,
 * `not.or=(...)`, with `and(...)`, `or(...)`, `not.and(...)` and `not.or(...)` nested inside.
 * Read as PostgREST's parser reads them (ApiRequest/QueryParams.hs, pLogicTree):
 *
 * - a condition is `column.[not.]operator.value`; spaces after `(`, `,` and `)` are skipped;
 * - a value runs to the next `,` or `)`, unless it is double-quoted (a backslash takes the next
 *   character as it is, and the closing quote must be followed by `,` or `)`), or starts with
 *   `(` or `[` (PostgREST's range literal: taken up to the first `)` or `]`, both included);
 * - `in.(a,"b,c")` takes a list as the top-level filter does.
 *
 * Unlike PostgREST, a tree is limited in depth and size, so one request cannot make the server
 * build an unbounded statement.
 */
export interface LogicTree {
  readonly kind: 'logic';
  readonly operator: 'and' | 'or';
  readonly isNegated: boolean;
  readonly conditions: readonly Condition[];
}
export type Condition = Filter | LogicTree;

/** `or=(...)` is one level; each nested `and(...)`/`or(...)` is one more. */
export const MAX_LOGIC_DEPTH = 10;
/** Filters in one tree, counted at every level. */
export const MAX_LOGIC_CONDITIONS = 100;

const LOGIC_KEY = /^(not\.)?(and|or)$/;

/** Whether a query parameter's key names a logic tree (`or`, `and`, `not.or`, `not.and`). */
export function isLogicKey(key: string): boolean {
  return LOGIC_KEY.test(key);
}

class SyntaxFailure {
  constructor(
    readonly position: number,
    readonly details: string,
  ) {}
}

/** `key` is `or`, `and`, `not.or` or `not.and`; `value` is the parenthesised list, as sent. */
export function parseLogicTree(key: string, value: string): Parsed<LogicTree> {
  const match = LOGIC_KEY.exec(key);
  if (!match) return refused(restErrors.parse(`failed to parse logic path (${key})`, 'Expected or, and, not.or or not.and.'));
  // PostgREST parses the key's operator followed by the value, so positions count from there.
  const text = `${match[2] ?? ''}${value}`;
  const prefix = match[1] === undefined ? '' : 'not.';
  const reader = new LogicReader(text);
  try {
    const tree = reader.readTree(1, prefix === 'not.');
    if (reader.index !== text.length) throw new SyntaxFailure(reader.index, `unexpected ${describe(text, reader.index)} expecting end of input`);
    return parsed(tree);
  } catch (error) {
    if (!(error instanceof SyntaxFailure)) throw error;
    return refused(restErrors.parse(`"failed to parse logic tree (${value})" (line 1, column ${error.position + 1})`, error.details));
  }
}

function describe(text: string, index: number): string {
  const char = text[index];
  return char === undefined ? 'end of input' : JSON.stringify(char);
}

const FIELD_CHAR = /[A-Za-z0-9_ $-]/;
const OPERATOR_LIST = `operator (${FILTER_OPERATORS.join(', ')})`;

class LogicReader {
  index = 0;
  private conditions = 0;

  constructor(private readonly text: string) {}

  private fail(expecting: string, at = this.index): never {
    throw new SyntaxFailure(at, `unexpected ${describe(this.text, at)} expecting ${expecting}`);
  }

  private skipBlanks(): void {
    while (this.text[this.index] === ' ') this.index++;
  }

  private expect(char: string): void {
    if (this.text[this.index] !== char) this.fail(JSON.stringify(char));
    this.index++;
  }

  /** `and(...)`/`or(...)` with the optional `not.` already read by the caller when at the top. */
  readTree(depth: number, isNegated: boolean): LogicTree {
    if (depth > MAX_LOGIC_DEPTH) throw new SyntaxFailure(this.index, `Logic trees nest at most ${MAX_LOGIC_DEPTH} levels deep.`);
    const operator = this.text.startsWith('and', this.index) ? 'and' : this.text.startsWith('or', this.index) ? 'or' : this.fail('"and" or "or"');
    this.index += operator.length;
    this.expect('(');
    this.skipBlanks();
    const conditions: Condition[] = [];
    for (;;) {
      conditions.push(this.readCondition(depth));
      if (this.text[this.index] === ',') {
        this.index++;
        this.skipBlanks();
        continue;
      }
      if (this.text[this.index] === ')') {
        this.index++;
        this.skipBlanks();
        break;
      }
      this.fail('"," or ")"');
    }
    return { kind: 'logic', operator, isNegated, conditions };
  }

  private readCondition(depth: number): Condition {
    const nested = /^(not\.)?(and|or)\(/.exec(this.text.slice(this.index));
    if (nested) {
      const isNegated = nested[1] !== undefined;
      if (isNegated) this.index += 'not.'.length;
      return this.readTree(depth + 1, isNegated);
    }
    if (++this.conditions > MAX_LOGIC_CONDITIONS) throw new SyntaxFailure(this.index, `A logic tree takes at most ${MAX_LOGIC_CONDITIONS} conditions.`);
    const column = this.readField();
    this.expect('.');
    let isNegated = false;
    if (this.text.startsWith('not.', this.index)) {
      isNegated = true;
      this.index += 'not.'.length;
    }
    const operatorStart = this.index;
    while (this.index < this.text.length && /[a-z_]/.test(this.text[this.index] ?? '')) this.index++;
    const operator = this.text.slice(operatorStart, this.index);
    if (this.text[this.index] !== '.' || operator === '') this.fail(OPERATOR_LIST, operatorStart);
    this.index++;
    if (operator === 'in') return { kind: 'in', column, isNegated, values: this.readList() };
    if (operator === 'is') {
      const value = IS_VALUES.find((candidate) => this.text.slice(this.index, this.index + candidate.length).toLowerCase() === candidate);
      if (value === undefined) this.fail(`null or trilean value (${IS_VALUES.join(', ')})`);
      this.index += value.length;
      return { kind: 'is', column, isNegated, value };
    }
    const compare = COMPARE_OPERATORS.find((candidate) => candidate === operator);
    if (compare === undefined) this.fail(OPERATOR_LIST, operatorStart);
    return { kind: 'compare', column, isNegated, operator: compare, value: this.readValue() };
  }

  /** A column: letters, digits, `_`, `$`, `-` and spaces (trimmed), or a double-quoted name. */
  private readField(): string {
    const quoted = this.readQuoted();
    if (quoted !== undefined) return quoted;
    const start = this.index;
    while (FIELD_CHAR.test(this.text[this.index] ?? '') && !this.text.startsWith('->', this.index)) this.index++;
    const name = this.text.slice(start, this.index).trim();
    if (name === '') this.fail('column name');
    if (this.text.startsWith('->', this.index)) throw new SyntaxFailure(this.index, 'JSON paths are not supported by this server.');
    return name;
  }

  /** `"..."` with backslash escapes, when it closes; the index is left after the closing quote. */
  private readQuoted(): string | undefined {
    if (this.text[this.index] !== '"') return undefined;
    let index = this.index + 1;
    let value = '';
    for (;;) {
      const char = this.text[index];
      if (char === undefined) return undefined;
      if (char === '"') break;
      if (char === '\\') {
        const escaped = this.text[index + 1];
        if (escaped === undefined) return undefined;
        value += escaped;
        index += 2;
        continue;
      }
      value += char;
      index++;
    }
    this.index = index + 1;
    return value;
  }

  /** A quoted value only counts as one when `,` or `)` follows it, as PostgREST's notFollowedBy. */
  private readQuotedValue(): string | undefined {
    const start = this.index;
    const value = this.readQuoted();
    if (value === undefined) return undefined;
    const next = this.text[this.index];
    if (next === ',' || next === ')') return value;
    this.index = start;
    return undefined;
  }

  private readBare(): string {
    const start = this.index;
    while (this.index < this.text.length && this.text[this.index] !== ',' && this.text[this.index] !== ')') this.index++;
    return this.text.slice(start, this.index);
  }

  private readValue(): string {
    const quoted = this.readQuotedValue();
    if (quoted !== undefined) return quoted;
    const open = this.text[this.index];
    if (open === '(' || open === '[') {
      const rest = this.text.slice(this.index + 1);
      const close = rest.search(/[)\]]/);
      if (close >= 0) {
        const value = `${open}${rest.slice(0, close + 1)}`;
        this.index += value.length;
        return value;
      }
    }
    return this.readBare();
  }

  /** `(a,"b,c")`; `()` and `("")` are the empty list, as the top-level in filter reads them. */
  private readList(): string[] {
    this.expect('(');
    this.skipBlanks();
    const values: string[] = [];
    for (;;) {
      values.push(this.readQuotedValue() ?? this.readBare());
      if (this.text[this.index] !== ',') break;
      this.index++;
    }
    this.expect(')');
    this.skipBlanks();
    return values.length === 1 && values[0] === '' ? [] : values;
  }
}
