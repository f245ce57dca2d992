import { useCallback, useEffect, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { AppError } from '../../../src/core/errors.js';
import { formatDateTime } from '../lib/format.js';
import { ROLE_LABEL } from '../lib/labels.js';
import { revokeInvitation, type InvitationRow } from '../lib/team-api.js';
import { useFilteredTableChanges } from '../lib/use-table-changes.js';

/** Invitations not yet used, revoked or expired; an admin revokes one. `version` reloads the list. */
export function TeamInvitations({ workspaceId, version }: { workspaceId: string; version: number }) {
  const supabase = useSupabase();
  const [invitations, setInvitations] = useState<InvitationRow[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  const load = useCallback(async () => {
    const { data, error: readError } = await supabase
      .from('workspace_invitations')
      .select('id, user_email, invitee_email, role, expires_at, accepted_at, revoked_at, created_at')
      .eq('workspace_id', workspaceId)
      .is('accepted_at', null)
      .is('revoked_at', null)
      .gt('expires_at', new Date().toISOString())
      .order('created_at', { ascending: false })
      .limit(200);
    if (readError) return setLoadError(`Could not load the invitations: ${readError.message}`);
    setLoadError(null);
    setInvitations(data as InvitationRow[]);
  }, [supabase, workspaceId]);
  useEffect(() => {
    void load();
  }, [load, version]);
  // Someone joining uses their invitation up.
  useFilteredTableChanges('workspace_members', `workspace_id=eq.${workspaceId}`, () => void load());

  async function revoke(invitation: InvitationRow) {
    setError(null);
    const result = await revokeInvitation(supabase, invitation.id);
    if (!result.ok) setError(result.error);
    await load();
  }

  return (
    <section aria-labelledby="invitations-title">
      <h3 id="invitations-title" className="section-title">
        Pending invitations
      </h3>
      {loadError && (
        <p className="form-error" role="alert">
          {loadError}
        </p>
      )}
      {error && (
        <p className="form-error" role="alert" data-code={error.code}>
          {error.message}
        </p>
      )}
      {invitations === null ? (
        <p className="muted">Loading…</p>
      ) : invitations.length === 0 ? (
        <p className="empty">No pending invitations.</p>
      ) : (
        <table className="table table--cards" aria-label="Pending invitations">
          <thead>
            <tr>
              <th scope="col">For</th>
              <th scope="col">Role</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {invitations.map((invitation) => (
              <tr key={invitation.id} data-testid="invitation-row">
                <td data-label="For">{invitation.invitee_email ?? 'Anyone with the link'}</td>
                <td data-label="Role">{ROLE_LABEL[invitation.role]}</td>
                <td data-label="Created">
                  {formatDateTime(invitation.created_at)}
                  {invitation.user_email && <span className="muted block">by {invitation.user_email}</span>}
                </td>
                <td data-label="Expires">{formatDateTime(invitation.expires_at)}</td>
                <td className="table__actions">
                  <button type="button" className="button button--secondary button--small" onClick={() => void revoke(invitation)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
