/**
 * Phoenix channel frames as realtime-js speaks them. Serializer 1.0.0 sends each frame as a
 * JSON object, 2.0.0 (the default) as a JSON array `[join_ref, ref, topic, event, payload]`.
 */
export const SERIALIZER_VERSIONS = ['1.0.0', '2.0.0'] as const;
export type SerializerVersion = (typeof SERIALIZER_VERSIONS)[number];

export interface Frame {
  readonly joinRef: string | null;
  readonly ref: string | null;
  readonly topic: string;
  readonly event: string;
  readonly payload: unknown;
}

export const PHOENIX_EVENTS = {
  join: 'phx_join',
  leave: 'phx_leave',
  reply: 'phx_reply',
  close: 'phx_close',
  error: 'phx_error',
  heartbeat: 'heartbeat',
  accessToken: 'access_token',
  system: 'system',
  postgresChanges: 'postgres_changes',
} as const;

const asRef = (value: unknown): string | null => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null);

/** Reads a text frame; undefined when it is not a frame of the given version. */
export function decodeFrame(raw: string, version: SerializerVersion): Frame | undefined {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (version === '2.0.0') {
    if (!Array.isArray(data) || data.length !== 5) return undefined;
    const [joinRef, ref, topic, event, payload] = data as unknown[];
    if (typeof topic !== 'string' || typeof event !== 'string') return undefined;
    return { joinRef: asRef(joinRef), ref: asRef(ref), topic, event, payload };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const { join_ref: joinRef, ref, topic, event, payload } = data as Record<string, unknown>;
  if (typeof topic !== 'string' || typeof event !== 'string') return undefined;
  return { joinRef: asRef(joinRef), ref: asRef(ref), topic, event, payload };
}

export function encodeFrame(frame: Frame, version: SerializerVersion): string {
  if (version === '2.0.0') return JSON.stringify([frame.joinRef, frame.ref, frame.topic, frame.event, frame.payload]);
  return JSON.stringify({ join_ref: frame.joinRef, ref: frame.ref, topic: frame.topic, event: frame.event, payload: frame.payload });
}

export function isSerializerVersion(value: unknown): value is SerializerVersion {
  return typeof value === 'string' && (SERIALIZER_VERSIONS as readonly string[]).includes(value);
}
