/** An error Postgres itself raised (a constraint, a privilege, bad input), as both drivers report it. */
export interface DatabaseError {
  /** The SQLSTATE, e.g. `23505`. */
  readonly code: string;
  readonly message: string;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
}

/**
 * postgres.js (`PostgresError`) and PGlite (`DatabaseError`) both copy the server's error
 * fields onto the thrown object; a connection or driver failure has no SQLSTATE and severity,
 * and gives undefined here.
 */
export function readDatabaseError(error: unknown): DatabaseError | undefined {
  if (!(error instanceof Error)) return undefined;
  const fields = error as Error & { code?: unknown; severity?: unknown; detail?: unknown; hint?: unknown };
  if (typeof fields.code !== 'string' || !/^[0-9A-Z]{5}$/.test(fields.code) || typeof fields.severity !== 'string') return undefined;
  return {
    code: fields.code,
    message: error.message,
    detail: typeof fields.detail === 'string' ? fields.detail : undefined,
    hint: typeof fields.hint === 'string' ? fields.hint : undefined,
  };
}
