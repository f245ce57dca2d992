import { useCallback, useEffect, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { AppError } from '../../../src/core/errors.js';
import { formatDateTime } from '../lib/format.js';
import { ROLE_LABEL } from '../lib/labels.js';
import { isRole, ROLES, setMemberActive, setMemberRole, type MemberRow } from '../lib/team-api.js';
import { useFilteredTableChanges } from '../lib/use-table-changes.js';

/** Every member of the workspace with their role and whether they may sign in; an admin changes both. */
export function TeamMembers({ workspaceId, userEmail, onChanged }: { workspaceId: string; userEmail: string; onChanged(): void }) {
  const supabase = useSupabase();
  const [members, setMembers] = useState<MemberRow[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [failure, setFailure] = useState<{ email: string; error: AppError } | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);

  const load = useCallback(async () => {
    const { data, error } = await supabase.from('workspace_members').select('*').eq('workspace_id', workspaceId).order('created_at', { ascending: true });
    if (error) return setLoadError(`Could not load the members: ${error.message}`);
    setLoadError(null);
    setMembers(data as MemberRow[]);
  }, [supabase, workspaceId]);
  useEffect(() => {
    void load();
  }, [load]);
  useFilteredTableChanges('workspace_members', `workspace_id=eq.${workspaceId}`, () => void load());

  async function act(member: MemberRow, run: () => Promise<{ ok: true } | { ok: false; error: AppError }>) {
    setBusyId(member.user_id);
    setFailure(null);
    const result = await run();
    setBusyId(null);
    if (!result.ok) setFailure({ email: member.user_email, error: result.error });
    onChanged();
    await load();
  }

  return (
    <section aria-labelledby="members-title">
      <h3 id="members-title" className="section-title">
        Members
      </h3>
      {loadError && (
        <p className="form-error" role="alert">
          {loadError}
        </p>
      )}
      {failure && (
        <p className="notice notice--bad" role="alert" data-testid="member-error" data-code={failure.error.code}>
          {failure.email}: {failure.error.message}
        </p>
      )}
      {members === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <table className="table table--cards" aria-label="Members">
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.map((member) => (
              <tr key={member.user_id} data-testid="member-row" data-email={member.user_email}>
                <td data-label="Member" className="strong">
                  {member.user_email}
                  {member.user_email === userEmail && <span className="muted"> (you)</span>}
                </td>
                <td data-label="Role">
                  <select
                    aria-label={`Role of ${member.user_email}`}
                    value={member.role}
                    disabled={busyId === member.user_id}
                    onChange={(e) => {
                      const role = e.target.value;
                      if (isRole(role)) void act(member, () => setMemberRole(supabase, member.user_id, role));
                    }}
                  >
                    {ROLES.map((role) => (
                      <option key={role} value={role}>
                        {ROLE_LABEL[role]}
                      </option>
                    ))}
                  </select>
                </td>
                <td data-label="Status">
                  {member.is_active ? (
                    <span className="badge badge--good">Active</span>
                  ) : (
                    <span className="badge badge--bad" title={`Deactivated ${formatDateTime(member.deactivated_at)}`}>
                      Deactivated
                    </span>
                  )}
                </td>
                <td className="table__actions">
                  <button
                    type="button"
                    className={`button button--small ${member.is_active ? 'button--secondary' : 'button--primary'}`}
                    disabled={busyId === member.user_id}
                    onClick={() => void act(member, () => setMemberActive(supabase, member.user_id, !member.is_active))}
                    aria-label={`${member.is_active ? 'Deactivate' : 'Reactivate'} ${member.user_email}`}
                  >
                    {member.is_active ? 'Deactivate' : 'Reactivate'}
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
