import { useId, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { AppError } from '../../../src/core/errors.js';
import { formatDateTime } from '../lib/format.js';
import { ROLE_LABEL } from '../lib/labels.js';
import { createInvitation, isRole, ROLES, type CreatedInvitation, type Role } from '../lib/team-api.js';

const EXPIRY_CHOICES = [
  { hours: 24, label: '1 day' },
  { hours: 168, label: '7 days' },
  { hours: 720, label: '30 days' },
] as const;

/** The link the admin copies and sends: no email server is needed. */
function InvitationLink({ created }: { created: CreatedInvitation }) {
  const link = new URL(created.acceptPath, window.location.origin).toString();
  const [copied, setCopied] = useState(false);
  const linkId = useId();
  return (
    <div className="notice notice--good invite-link" role="status" data-testid="invitation-link">
      <p>
        Invitation for {created.invitation.inviteeEmail ?? 'anyone with the link'} as {ROLE_LABEL[created.invitation.role]}, until{' '}
        {formatDateTime(created.invitation.expiresAt)}. It works once; copy it now, it is not shown again.
      </p>
      <label htmlFor={linkId}>Invitation link</label>
      <div className="invite-link__row">
        <input id={linkId} readOnly value={link} onFocus={(e) => e.target.select()} />
        <button
          type="button"
          className="button button--primary button--small"
          onClick={() =>
            void navigator.clipboard.writeText(link).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy link'}
        </button>
      </div>
    </div>
  );
}

/** Invite someone: a role, optionally the only email that may use it, and how long it lasts. */
export function TeamInvite({ onCreated }: { onCreated(): void }) {
  const supabase = useSupabase();
  const [role, setRole] = useState<Role>('rep');
  const [email, setEmail] = useState('');
  const [hours, setHours] = useState(168);
  const [created, setCreated] = useState<CreatedInvitation | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [isBusy, setBusy] = useState(false);
  const ids = { role: useId(), email: useId(), expiry: useId() };

  async function invite() {
    setBusy(true);
    setError(null);
    setCreated(null);
    const result = await createInvitation(supabase, { role, inviteeEmail: email.trim() || undefined, expiresInHours: hours });
    setBusy(false);
    if (!result.ok) return setError(result.error);
    setCreated(result.value);
    setEmail('');
    onCreated();
  }

  return (
    <section aria-labelledby="invite-title">
      <h3 id="invite-title" className="section-title">
        Invite someone
      </h3>
      <form
        className="lead-form"
        aria-labelledby="invite-title"
        onSubmit={(event) => {
          event.preventDefault();
          void invite();
        }}
      >
        <div className="field">
          <label htmlFor={ids.role}>Role</label>
          <select id={ids.role} value={role} onChange={(e) => isRole(e.target.value) && setRole(e.target.value)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABEL[r]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.email}>Email (optional)</label>
          <input id={ids.email} type="email" value={email} onChange={(e) => setEmail(e.target.value)} placeholder="Only this address may use it" />
        </div>
        <div className="field">
          <label htmlFor={ids.expiry}>Expires after</label>
          <select id={ids.expiry} value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {EXPIRY_CHOICES.map((choice) => (
              <option key={choice.hours} value={choice.hours}>
                {choice.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button button--primary" disabled={isBusy}>
          {isBusy ? 'Creating…' : 'Create invitation link'}
        </button>
        {error && (
          <p className="form-error" role="alert" data-code={error.code}>
            {error.message}
          </p>
        )}
      </form>
      {created && <InvitationLink created={created} />}
    </section>
  );
}
