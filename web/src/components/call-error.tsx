import type { AppError } from '../../../src/core/errors.js';

/** A title for the dial gate's refusals (the server's message says the rest: the rule, the time, when it opens). */
const REFUSAL_TITLE: Readonly<Partial<Record<AppError['code'], string>>> = {
  do_not_call: 'Not placed: the number is on the do-not-call list',
  outside_calling_hours: 'Not placed: outside calling hours where this number is',
  attempt_limit_reached: 'Not placed: attempt limit reached',
};

/**
 * Why a call could not be placed or ended, in the server's words. Without Twilio (TW1) it
 * offers demo mode in one click; a refusal of the dial gate is titled with its reason.
 */
export function CallError({ error, onUseDemoMode }: { error: AppError; onUseDemoMode(): void }) {
  const needsDemoMode = error.code === 'twilio_not_configured';
  const title = needsDemoMode ? 'This call was not placed' : REFUSAL_TITLE[error.code];
  return (
    <div className={`notice ${needsDemoMode ? 'notice--warn' : 'notice--bad'}`} role="alert" data-testid="call-error" data-code={error.code}>
      {title && <strong className="notice__title">{title}</strong>}
      <p>{error.message}</p>
      {REFUSAL_TITLE[error.code] && <small className="muted">Code: {error.code}</small>}
      {needsDemoMode && (
        <button type="button" className="button button--primary" onClick={onUseDemoMode}>
          Use demo mode
        </button>
      )}
    </div>
  );
}
