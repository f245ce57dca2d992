/**
 * Just enough of TwiML for the simulator to play what the application answered: the `<Say>`
 * texts, the `<Dial>` and whom it dials, and whether the document hangs up. Read with regular
 * expressions over what twilio-node writes (attributes in double quotes, entities escaped).
 */
export interface TwimlDial {
  readonly attributes: Readonly<Record<string, string>>;
  readonly clients: readonly string[];
  readonly numbers: readonly string[];
}

export interface TwimlDocument {
  readonly says: readonly string[];
  readonly dial: TwimlDial | undefined;
  /** A `<Gather>` (its attributes): keys pressed while it plays go to its `action`. */
  readonly gather: { readonly attributes: Readonly<Record<string, string>> } | undefined;
  readonly hangsUp: boolean;
  /** Seconds of `<Pause>` in the document (Twilio's default length is 1). */
  readonly pauseSeconds: number;
}

const unescape = (text: string) =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

function readAttributes(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [, name, value] of text.matchAll(/([A-Za-z]+)="([^"]*)"/g)) if (name) attributes[name] = unescape(value ?? '');
  return attributes;
}

export function readTwiml(twiml: string): TwimlDocument {
  const says = [...twiml.matchAll(/<Say(?:\s[^>]*)?>([\s\S]*?)<\/Say>/g)].map((match) => unescape(match[1] ?? ''));
  const dialMatch = /<Dial(\s[^>]*)?>([\s\S]*?)<\/Dial>/.exec(twiml);
  const dial = dialMatch
    ? {
        attributes: readAttributes(dialMatch[1] ?? ''),
        clients: [...(dialMatch[2] ?? '').matchAll(/<Client(?:\s[^>]*)?>([\s\S]*?)<\/Client>/g)].map((match) => unescape(match[1] ?? '')),
        numbers: [...(dialMatch[2] ?? '').matchAll(/<Number(?:\s[^>]*)?>([\s\S]*?)<\/Number>/g)].map((match) => unescape(match[1] ?? '')),
      }
    : undefined;
  const gatherMatch = /<Gather(\s[^>]*)?>/.exec(twiml);
  const gather = gatherMatch ? { attributes: readAttributes(gatherMatch[1] ?? '') } : undefined;
  const pauseSeconds = [...twiml.matchAll(/<Pause(\s[^>]*)?\/?>/g)].reduce((total, match) => total + (Number(readAttributes(match[1] ?? '')['length'] ?? 1) || 0), 0);
  return { says, dial, gather, hangsUp: /<Hangup\s*\/>/.test(twiml), pauseSeconds };
}
