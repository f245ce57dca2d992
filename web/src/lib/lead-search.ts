/**
 * A LIKE pattern for PostgREST's `ilike`/`like` inside a logic tree: `*` around the text, the
 * text's own `*` dropped, LIKE's `%` `_` and `\` escaped, and the whole value double-quoted
 * (with `"` and `\` escaped) so commas and parentheses stay part of the value (README, REST).
 */
export function likeValue(text: string): string {
  const escaped = text.replace(/[\\%_*]/g, (c) => (c === '*' ? '' : `\\${c}`)).replace(/["\\]/g, '\\$&');
  return `"*${escaped}*"`;
}

/** The digits of a query that is a phone number (digits, spaces, `( ) . + -` only), else null. */
export function phoneDigits(query: string): string | null {
  const digits = query.replace(/[\s().+-]/g, '');
  return /^\d+$/.test(digits) ? digits : null;
}

/**
 * The search as one PostgREST `or` tree: name, company and email contain the words as typed,
 * and the phone holds the digits only when the whole query is a number — so "Company 28" finds
 * Company 28, not every lead whose number holds a 2 and an 8. Null for an empty query.
 */
export function leadSearchFilter(query: string): string | null {
  const text = query.trim();
  if (text === '') return null;
  const conditions = ['name', 'company', 'email'].map((column) => `${column}.ilike.${likeValue(text)}`);
  const digits = phoneDigits(text);
  if (digits !== null) conditions.push(`phone.like.${likeValue(digits)}`);
  return conditions.join(',');
}
