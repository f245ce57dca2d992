import type { AppError } from '../../../src/core/errors.js';

/**
 * Why a call could not be placed or ended, in the server's words. Without Twilio (TW1) it
 * offers demo mode in one click.
 */
export function CallError({ error, onUseDemoMode }: { error: AppError; onUseDemoMode(): void }) {
  const needsDemoMode = error.code === 'twilio_not_configured';
  return (
    <div className={`notice ${needsDemoMode ? 'notice--warn' : 'notice--bad'}`} role="alert" data-testid="call-error" data-code={error.code}>
      {needsDemoMode && <strong className="notice__title">This call was not placed</strong>}
      <p>{error.message}</p>
      {needsDemoMode && (
        <button type="button" className="button button--primary" onClick={onUseDemoMode}>
          Use demo mode
        </button>
      )}
    </div>
  );
}
