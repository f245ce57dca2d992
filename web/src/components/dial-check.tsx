import { useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { addDoNotCallNumbers } from '../lib/compliance-api.js';
import { describeDialCheck } from '../lib/dial-check-text.js';
import type { DialCheckState } from '../lib/use-dial-check.js';

/**
 * Beside Call: whether the server's gate would let this number be called now, and why not (the
 * refusal's code and message). Call stays usable: the server decides at the dial itself. With
 * `to`, a member may put the number on the workspace's do-not-call list from here.
 */
export function DialCheck({ state, to, onChanged }: { state: DialCheckState; to?: string | null | undefined; onChanged?: () => void }) {
  const supabase = useSupabase();
  const [added, setAdded] = useState<{ to: string; text: string; isError: boolean } | null>(null);
  if (state.kind === 'idle') return null;
  const shownAdded = added && added.to === to ? added : null;

  async function addToList(number: string) {
    if (!window.confirm(`Put ${number} on the do-not-call list? Nobody in the workspace can call it after that.`)) return;
    const result = await addDoNotCallNumbers(supabase, [number], 'Added from the dialer');
    if (!result.ok) return setAdded({ to: number, text: result.error.message, isError: true });
    const invalid = result.value.invalid[0];
    setAdded({
      to: number,
      text: invalid ? invalid.message : result.value.added > 0 ? `${number} is now on the do-not-call list.` : `${number} was already on the do-not-call list.`,
      isError: invalid !== undefined,
    });
    onChanged?.();
  }

  const canAdd = to && state.kind === 'answered' && state.check.code !== 'do_not_call';
  return (
    <div className="dial-check" aria-live="polite">
      {state.kind === 'checking' && (
        <p className="dial-check__line muted" data-testid="dial-check" data-state="checking">
          Checking whether this number can be called now…
        </p>
      )}
      {state.kind === 'failed' && (
        <p className="dial-check__line muted" data-testid="dial-check" data-state="failed" data-code={state.error.code}>
          Could not check this number beforehand: {state.error.message}
        </p>
      )}
      {state.kind === 'answered' && <AnsweredLine state={state} />}
      {canAdd && (
        <button type="button" className="button button--ghost button--small" onClick={() => void addToList(to)}>
          Add to do-not-call list
        </button>
      )}
      {shownAdded && (
        <p className={shownAdded.isError ? 'form-error' : 'is-valid'} role={shownAdded.isError ? 'alert' : 'status'}>
          {shownAdded.text}
        </p>
      )}
    </div>
  );
}

function AnsweredLine({ state }: { state: Extract<DialCheckState, { kind: 'answered' }> }) {
  const text = describeDialCheck(state.check, Date.now());
  return (
    <p
      className={`dial-check__line dial-check__line--${text.tone}`}
      data-testid="dial-check"
      data-state={state.check.allowed ? 'allowed' : 'refused'}
      data-code={state.check.code ?? ''}
      data-rule={state.check.rule ?? ''}
    >
      <strong>{text.title}</strong>
      {text.detail && ` — ${text.detail}`}
    </p>
  );
}
