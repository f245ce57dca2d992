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
  signup_disabled: 'New accounts need an invitation: ask an admin of your team for an invitation link, and open it to create your account.',
  user_banned: 'This account has been deactivated by an admin of your workspace. Ask them to reactivate it.',
};

export interface AuthFailure {
  readonly code: string | null;
  readonly message: string;
}

function describeAuthError(error: unknown): AuthFailure {
  if (!(error instanceof AuthError) || !error.status) return { code: null, message: UNREACHABLE };
  const code = error.code ?? null;
  // An invitation's refusal (invitation_invalid) keeps the server's sentence, which says why:
  // expired, already used, revoked, for another email, or unknown.
  return { code, message: (code && AUTH_ERROR_WORDS[code]) || error.message };
}

/**
 * Sign in, or create an account with an email and a password. With an invitation token (the
 * `/join` link an admin copied) it creates the account in the inviter's workspace.
 */
export function AuthScreen({ invitationToken = null }: { invitationToken?: string | null }) {
  const supabase = useSupabase();
  const [mode, setMode] = useState<Mode>(invitationToken ? 'sign-up' : 'sign-in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<AuthFailure | null>(null);
  const [isBusy, setBusy] = useState(false);
  const ids = { email: useId(), password: useId(), hint: useId() };
  const isSignUp = mode === 'sign-up';

  async function submit() {
    if (isSignUp && password.length < MIN_PASSWORD_LENGTH) return setError({ code: 'weak_password', message: `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.` });
    setBusy(true);
    setError(null);
    const credentials = { email: email.trim(), password };
    const signUp = () =>
      supabase.auth.signUp(invitationToken ? { ...credentials, options: { data: { invitation_token: invitationToken } } } : credentials);
    // The app opens on the dialer once signed in, so the link leaves the address bar first
    // (the session starts before signUp returns); a refused sign-up puts it back.
    const link = `${window.location.pathname}${window.location.search}`;
    if (invitationToken) window.history.replaceState(null, '', '/');
    const result = await (isSignUp ? signUp() : supabase.auth.signInWithPassword(credentials)).catch((e: unknown) => ({ error: e }));
    setBusy(false);
    if (!result.error) return;
    if (invitationToken) window.history.replaceState(null, '', link);
    setError(describeAuthError(result.error));
  }

  return (
    <main className="auth">
      <div className="auth__card card">
        <div className="brand brand--large">
          <span className="brand__mark" aria-hidden="true" />
          Dialer
        </div>
        {invitationToken && (
          <p className="auth__invite" data-testid="join-intro">
            You have been invited to a team. Create your account to join it; if you already have one, it belongs to another workspace.
          </p>
        )}
        <div className="tabs" role="tablist" aria-label="Account" hidden={invitationToken !== null}>
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
            <p className="form-error" role="alert" data-testid="auth-error" data-code={error.code ?? undefined}>
              {error.message}
            </p>
          )}
          <button type="submit" className="button button--primary button--wide" disabled={isBusy}>
            {isBusy ? 'Please wait…' : invitationToken ? 'Join the team' : isSignUp ? 'Create account' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
