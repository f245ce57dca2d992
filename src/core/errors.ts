/** Every error code a client can receive, with its HTTP status: one map (STYLE 11). */
export const ERROR_HTTP_STATUS = {
  invalid_request: 400,
  invalid_phone_number: 400,
  unauthorized: 401,
  forbidden: 403,
  call_not_found: 404,
  lead_not_found: 404,
  not_found: 404,
  line_busy: 409,
  do_not_call: 409,
  // The dial gate (src/core/dial-gate.ts): outside the callee's calling hours; an attempt cap reached.
  outside_calling_hours: 409,
  attempt_limit_reached: 409,
  call_not_finished: 409,
  // Teams: the change would leave the workspace without an active admin; an invitation already used.
  last_admin: 409,
  invitation_used: 409,
  // Lead lists: another live list of the workspace has the name; the list is archived (no new leads, no changes).
  list_not_found: 404,
  list_name_taken: 409,
  list_archived: 409,
  // Power-dial sessions (src/core/dialer-session.ts): no such session of the caller's; the rep
  // already has a live (active or paused) session; the session is stopped (final).
  session_not_found: 404,
  session_active: 409,
  session_stopped: 409,
  twilio_not_configured: 503,
  // Twilio refused or could not be reached (src/core/twilio-errors.ts keeps Twilio's code in the message).
  twilio_invalid_number: 422,
  twilio_geo_permission: 422,
  twilio_caller_id_unverified: 422,
  twilio_rate_limited: 429,
  twilio_auth_failed: 502,
  twilio_error: 502,
  twilio_unreachable: 504,
  twilio_voice_not_configured: 503,
  // A request body over its route's limit (src/api/body-limit.ts), refused before it is read.
  payload_too_large: 413,
  // Lead imports: a spreadsheet or other binary file that is not CSV (named in the message); a CSV
  // file that cannot be read (no header, a quote never closed); a file with a header and no rows.
  unsupported_file: 415,
  invalid_file: 422,
  empty_import: 422,
  internal_error: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;

export interface AppError {
  readonly code: ErrorCode;
  readonly message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_HTTP_STATUS[code];
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_HTTP_STATUS, value);
}
