import { AuthError } from '@supabase/supabase-js';
import { useId, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';

type Mode = 'sign-in' | 'sign-up';
const MIN_PASSWORD_LENGTH = 8;

const UNREACHABLE = 'Cannot reach the server. Check your connection and try again.';

/** Auth's refusals a rep can meet here, in their words; others keep the server's own sentence. */
const AUTH_ERROR_WORDS: Readonly<Record<string, string>> = {
  invalid_credentials: 'That email and password do not match an account. Check them, or create an account.',
  user_already_exists: 'An account with this email already exists: sign in instead.',
  weak_password: `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.`,
  validation_failed: 'Enter a valid email address and a password.',
};

function describeAuthError(error: unknown): string {
  if (!(error instanceof AuthError) || !error.status) return UNREACHABLE;
  return (error.code && AUTH_ERROR_WORDS[error.code]) || error.message;
}

/** Sign in, or create an account with an email and a password. */
export function AuthScreen() {
  const supabase = useSupabase();
  const [mode, setMode] = useState<Mode>('sign-in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  const ids = { email: useId(), password: useId(), hint: useId() };
  const isSignUp = mode === 'sign-up';

  async function submit() {
    if (isSignUp && password.length < MIN_PASSWORD_LENGTH) return setError(`Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.`);
    setBusy(true);
    setError(null);
    const credentials = { email: email.trim(), password };
    const result = await (isSignUp ? supabase.auth.signUp(credentials) : supabase.auth.signInWithPassword(credentials)).catch((e: unknown) => ({ error: e }));
    setBusy(false);
    if (result.error) setError(describeAuthError(result.error));
  }

  return (
    <main className="auth">
      <div className="auth__card card">
        <div className="brand brand--large">
          <span className="brand__mark" aria-hidden="true" />
          Dialer
        </div>
        <div className="tabs" role="tablist" aria-label="Account">
          {(['sign-in', 'sign-up'] as const).map((m) => (
            <button
              key={m}
              type="button"
              role="tab"
              aria-selected={mode === m}
              className={`tabs__tab ${mode === m ? 'is-active' : ''}`}
              onClick={() => {
                setMode(m);
                setError(null);
              }}
            >
              {m === 'sign-in' ? 'Sign in' : 'Create account'}
            </button>
          ))}
        </div>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <div className="field">
            <label htmlFor={ids.email}>Email</label>
            <input id={ids.email} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          </div>
          <div className="field">
            <label htmlFor={ids.password}>Password</label>
            <input
              id={ids.password}
              type="password"
              autoComplete={isSignUp ? 'new-password' : 'current-password'}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-describedby={isSignUp ? ids.hint : undefined}
              required
            />
            {isSignUp && (
              <small id={ids.hint} className="muted">
                At least {MIN_PASSWORD_LENGTH} characters.
              </small>
            )}
          </div>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="button button--primary button--wide" disabled={isBusy}>
            {isBusy ? 'Please wait…' : isSignUp ? 'Create account' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
