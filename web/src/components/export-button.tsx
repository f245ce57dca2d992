import { useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { AppError } from '../../../src/core/errors.js';
import { createExport, type ExportKind } from '../lib/report-api.js';

/**
 * Export CSV: the server makes a short-lived link to the whole range (never truncated, under the
 * member's visibility) and the browser opens it, which downloads the file.
 */
export function ExportButton({
  kind,
  from,
  to,
  userEmail,
  filters,
}: {
  kind: ExportKind;
  from?: string | undefined;
  to?: string | undefined;
  userEmail?: string | undefined;
  /** More filters of this kind of export (the compliance log's event kind and code). */
  filters?: Readonly<Record<string, string | undefined>> | undefined;
}) {
  const supabase = useSupabase();
  const [isBusy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  async function start() {
    setBusy(true);
    setError(null);
    const result = await createExport(supabase, { kind, from, to, userEmail, filters });
    setBusy(false);
    if (!result.ok) return setError(result.error);
    window.location.assign(new URL(result.value.url, window.location.origin).toString());
  }

  return (
    <span className="export">
      <button type="button" className="button button--secondary" onClick={() => void start()} disabled={isBusy}>
        {isBusy ? 'Preparing…' : 'Export CSV'}
      </button>
      {error && (
        <span className="form-error" role="alert" data-code={error.code}>
          {error.message}
        </span>
      )}
    </span>
  );
}
