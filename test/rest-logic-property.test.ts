import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.js';
import { startTestServer, type SignedUpUser, type TestServer } from './support/server.js';

/**
 * LS1's filters as a seeded property: for random or/and/not trees over leads, written as a client
 * writes them (bare values where they can be, double-quoted with escapes where they must), the rows
 * REST returns are exactly the rows an evaluator written here keeps, with SQL's three-valued logic
 * (a comparison with NULL is unknown, `not` of unknown is unknown, only true keeps a row) and
 * LIKE's rules built from the pattern's tokens, not from the server's translation.
 */

type Tri = boolean | null;

interface Row {
  readonly id: string;
  readonly name: string;
  readonly company: string | null;
  readonly email: string | null;
  readonly status: string;
  readonly attempts: number;
  readonly last_called_at: string | null;
}

const TEXT_COLUMNS = ['name', 'company', 'email', 'status'] as const;
type TextColumn = (typeof TEXT_COLUMNS)[number];

/** A LIKE pattern as tokens: literal characters, `*` or `%` (any run), `_` (any one), `\`-escaped literals. */
type PatternToken = { readonly kind: 'literal'; readonly char: string } | { readonly kind: 'any' | 'percent' | 'one' } | { readonly kind: 'escaped'; readonly char: '%' | '_' | '\\' };

type Leaf =
  | { readonly kind: 'text'; readonly column: TextColumn; readonly operator: 'eq' | 'neq'; readonly value: string }
  | { readonly kind: 'like'; readonly column: TextColumn; readonly operator: 'like' | 'ilike'; readonly pattern: readonly PatternToken[] }
  | { readonly kind: 'in'; readonly column: TextColumn | 'attempts'; readonly values: readonly string[] }
  | { readonly kind: 'number'; readonly operator: NumberOperator; readonly value: number }
  | { readonly kind: 'time'; readonly operator: NumberOperator; readonly value: string }
  | { readonly kind: 'is'; readonly column: 'company' | 'email' | 'last_called_at'; readonly value: 'null' | 'not_null' };
type NumberOperator = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte';
type Node = { readonly kind: 'leaf'; readonly isNegated: boolean; readonly leaf: Leaf } | { readonly kind: 'tree'; readonly isNegated: boolean; readonly operator: 'and' | 'or'; readonly children: readonly Node[] };

const TEXTS = ['Ann', 'ann', 'ANN', 'Acme, Inc (West)', 'a_b', 'a%b', 'say "hi"', 'B\\c', '(x)', 'a.b@example.com', ' a', ''];
const STATUSES = ['new', 'callback', 'contacted'];
const INSTANTS = ['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.001Z', '2026-06-15T12:30:00.000Z'];
/** The instants and other spellings of them, as a client may send them. */
const TIME_VALUES = [...INSTANTS, '2026-01-01T02:00:00+02:00', '2026-06-15 07:30:00-05:00', '2025-12-31T23:59:59Z'];

const rowArbitrary = fc.record({
  name: fc.constantFrom(...TEXTS.filter((text) => text.trim() !== '')),
  company: fc.option(fc.constantFrom(...TEXTS), { nil: null }),
  email: fc.option(fc.constantFrom(...TEXTS), { nil: null }),
  status: fc.constantFrom(...STATUSES),
  attempts: fc.integer({ min: 0, max: 4 }),
  last_called_at: fc.option(fc.constantFrom(...INSTANTS), { nil: null }),
});

const patternToken: fc.Arbitrary<PatternToken> = fc.oneof(
  { arbitrary: fc.constantFrom('a', 'A', 'n', 'b', ' ', ',', '(', ')', '"', '.', 'W').map((char): PatternToken => ({ kind: 'literal', char })), weight: 6 },
  { arbitrary: fc.constantFrom<PatternToken>({ kind: 'any' }, { kind: 'percent' }, { kind: 'one' }), weight: 3 },
  { arbitrary: fc.constantFrom('%' as const, '_' as const, '\\' as const).map((char): PatternToken => ({ kind: 'escaped', char })), weight: 1 },
);
const textValue = fc.oneof(fc.constantFrom(...TEXTS, ...STATUSES), fc.string({ maxLength: 3, unit: fc.constantFrom('a', 'A', ',', ')', '"', '\\', ' ') }));

const leafArbitrary: fc.Arbitrary<Leaf> = fc.oneof(
  fc.record({ kind: fc.constant('text' as const), column: fc.constantFrom(...TEXT_COLUMNS), operator: fc.constantFrom('eq' as const, 'neq' as const), value: textValue }),
  fc.record({ kind: fc.constant('like' as const), column: fc.constantFrom(...TEXT_COLUMNS), operator: fc.constantFrom('like' as const, 'ilike' as const), pattern: fc.array(patternToken, { maxLength: 6 }) }),
  fc.oneof(
    fc.record({ kind: fc.constant('in' as const), column: fc.constantFrom(...TEXT_COLUMNS), values: fc.array(textValue, { maxLength: 3 }) }),
    fc.record({ kind: fc.constant('in' as const), column: fc.constant('attempts' as const), values: fc.array(fc.integer({ min: -1, max: 5 }).map(String), { maxLength: 3 }) }),
  ),
  fc.record({ kind: fc.constant('number' as const), operator: fc.constantFrom<NumberOperator>('eq', 'neq', 'gt', 'gte', 'lt', 'lte'), value: fc.integer({ min: -1, max: 5 }) }),
  fc.record({ kind: fc.constant('time' as const), operator: fc.constantFrom<NumberOperator>('eq', 'neq', 'gt', 'gte', 'lt', 'lte'), value: fc.constantFrom(...TIME_VALUES) }),
  fc.record({ kind: fc.constant('is' as const), column: fc.constantFrom('company' as const, 'email' as const, 'last_called_at' as const), value: fc.constantFrom('null' as const, 'not_null' as const) }),
);

const { node: nodeArbitrary } = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('leaf' as const), isNegated: fc.boolean(), leaf: leafArbitrary }),
    fc.record({ kind: fc.constant('tree' as const), isNegated: fc.boolean(), operator: fc.constantFrom('and' as const, 'or' as const), children: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
  ),
}));

// ---- writing a tree as PostgREST reads it

const quote = (value: string) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
/** Bare where PostgREST would read the value back unchanged, else quoted. */
const writeValue = (value: string) => (/[,()"\\[\]]/.test(value) ? quote(value) : value);
const writeElement = (value: string) => (/[,()"\\]|^\s/.test(value) || value === '' ? quote(value) : value);

function writePattern(pattern: readonly PatternToken[]): string {
  return pattern
    .map((token) => {
      switch (token.kind) {
        case 'literal':
          return token.char === '%' || token.char === '_' || token.char === '\\' || token.char === '*' ? `\\${token.char}` : token.char;
        case 'any':
          return '*';
        case 'percent':
          return '%';
        case 'one':
          return '_';
        case 'escaped':
          return `\\${token.char}`;
        default:
          return token satisfies never;
      }
    })
    .join('');
}

function writeLeaf(leaf: Leaf, isNegated: boolean): string {
  const not = isNegated ? 'not.' : '';
  switch (leaf.kind) {
    case 'text':
      return `${leaf.column}.${not}${leaf.operator}.${writeValue(leaf.value)}`;
    case 'like':
      return `${leaf.column}.${not}${leaf.operator}.${quote(writePattern(leaf.pattern))}`;
    case 'in':
      return `${leaf.column}.${not}in.(${leaf.values.map(writeElement).join(',')})`;
    case 'number':
      return `attempts.${not}${leaf.operator}.${leaf.value}`;
    case 'time':
      return `last_called_at.${not}${leaf.operator}.${writeValue(leaf.value)}`;
    case 'is':
      return `${leaf.column}.${not}is.${leaf.value}`;
    default:
      return leaf satisfies never;
  }
}

function writeNode(node: Node): string {
  if (node.kind === 'leaf') return writeLeaf(node.leaf, node.isNegated);
  return `${node.isNegated ? 'not.' : ''}${node.operator}(${node.children.map(writeNode).join(',')})`;
}

// ---- evaluating it here, independently of the server

function likeRegExp(pattern: readonly PatternToken[], isCaseInsensitive: boolean): RegExp {
  const escape = (char: string) => char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const source = pattern
    .map((token) => {
      switch (token.kind) {
        case 'literal':
        case 'escaped':
          return escape(token.char);
        case 'any':
        case 'percent':
          return '.*';
        case 'one':
          return '.';
        default:
          return token satisfies never;
      }
    })
    .join('');
  return new RegExp(`^${source}$`, isCaseInsensitive ? 'is' : 's');
}

function compare(operator: NumberOperator, left: number, right: number): boolean {
  switch (operator) {
    case 'eq':
      return left === right;
    case 'neq':
      return left !== right;
    case 'gt':
      return left > right;
    case 'gte':
      return left >= right;
    case 'lt':
      return left < right;
    case 'lte':
      return left <= right;
    default:
      return operator satisfies never;
  }
}

function evaluateLeaf(leaf: Leaf, row: Row): Tri {
  switch (leaf.kind) {
    case 'text': {
      const value = row[leaf.column];
      if (value === null) return null;
      return leaf.operator === 'eq' ? value === leaf.value : value !== leaf.value;
    }
    case 'like': {
      const value = row[leaf.column];
      return value === null ? null : likeRegExp(leaf.pattern, leaf.operator === 'ilike').test(value);
    }
    case 'in': {
      // As PostgREST: `in.()` and `in.("")` are the empty list, false even for NULL.
      if (leaf.values.length === 0 || (leaf.values.length === 1 && leaf.values[0] === '')) return false;
      const value = row[leaf.column];
      if (value === null) return null;
      return leaf.column === 'attempts' ? leaf.values.some((candidate) => Number(candidate) === value) : leaf.values.includes(String(value));
    }
    case 'number':
      return compare(leaf.operator, row.attempts, leaf.value);
    case 'time':
      return row.last_called_at === null ? null : compare(leaf.operator, Date.parse(row.last_called_at), Date.parse(leaf.value.replace(' ', 'T')));
    case 'is':
      return (row[leaf.column] === null) === (leaf.value === 'null');
    default:
      return leaf satisfies never;
  }
}

const not = (value: Tri): Tri => (value === null ? null : !value);

function evaluate(node: Node, row: Row): Tri {
  if (node.kind === 'leaf') {
    const value = evaluateLeaf(node.leaf, row);
    return node.isNegated ? not(value) : value;
  }
  const values = node.children.map((child) => evaluate(child, row));
  const combined = node.operator === 'and' ? (values.includes(false) ? false : values.includes(null) ? null : true) : values.includes(true) ? true : values.includes(null) ? null : false;
  return node.isNegated ? not(combined) : combined;
}

describe.each(DATABASE_KINDS)('REST logic trees keep the rows SQL semantics keep, on %s', (kind) => {
  let server: TestServer;
  let user: SignedUpUser;
  let rows: Row[];

  beforeAll(async () => {
    server = await startTestServer(kind);
    user = await server.signUp('logic');
    const seeds = fc.sample(rowArbitrary, { seed: 20261130, numRuns: 40 });
    rows = [];
    for (const [index, seed] of seeds.entries()) {
      const [stored] = await server.db.query<{ id: string }>(
        `insert into leads (user_email, name, phone, company, email, status, attempts, last_called_at) values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
        [user.email, seed.name, `+1415555${String(1000 + index)}`, seed.company, seed.email, seed.status, seed.attempts, seed.last_called_at],
      );
      if (!stored) throw new Error('lead insert returned nothing');
      rows.push({ id: stored.id, ...seed });
    }
    // Another user's rows are never returned, whatever the tree (AU1).
    const other = await server.signUp('logic-other');
    await server.db.query(`insert into leads (user_email, name, phone, company) values ($1, 'Ann', '+14155559999', 'Acme, Inc (West)')`, [other.email]);
  });
  afterAll(async () => {
    await server.close();
  });

  it('LS1 random or/and/not trees through supabase-js .or() and the and=/not.or=/not.and= keys (seeded property)', async () => {
    let isSomeKept = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('or', 'and', 'not.or', 'not.and'), fc.array(nodeArbitrary, { minLength: 1, maxLength: 4 }), async (key, children) => {
        const written = children.map(writeNode).join(',');
        const root: Node = { kind: 'tree', isNegated: key.startsWith('not.'), operator: key.endsWith('and') ? 'and' : 'or', children };
        const expected = rows.filter((row) => evaluate(root, row) === true).map((row) => row.id).sort();
        if (expected.length > 0 && expected.length < rows.length) isSomeKept++;
        let ids: string[];
        if (key === 'or') {
          const result = await user.client.from('leads').select('id').or(written);
          expect(result.error, `or=(${written})`).toBeNull();
          ids = (result.data ?? []).map((row: { id: string }) => row.id);
        } else {
          const response = await fetch(`${server.url}/rest/v1/leads?${new URLSearchParams([['select', 'id'], [key, `(${written})`]]).toString()}`, {
            headers: { apikey: server.tokens.anonKey, Authorization: `Bearer ${user.accessToken}` },
          });
          const body = (await response.json()) as unknown;
          expect(response.status, `${key}=(${written}) answered ${JSON.stringify(body)}`).toBe(200);
          ids = (body as { id: string }[]).map((row) => row.id);
        }
        expect(ids.sort(), `${key}=(${written})`).toEqual(expected);
      }),
      { seed: 20261130, numRuns: 150, endOnFailure: true },
    );
    // Most trees keep some rows and drop others, so the comparison says something.
    expect(isSomeKept).toBeGreaterThan(50);
  });
});
