/** Keeps what can be part of a phone number from pasted text ("tel:+1 (415) 555-0123" and the like). */
export function cleanPastedNumber(text: string): string {
  return text
    .replace(/^\s*tel:/i, '')
    .replace(/[^\d+()\-.\s/]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
