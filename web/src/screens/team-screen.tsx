import { useState } from 'react';
import { useWorkspace } from '../lib/workspace-context.js';
import { TeamAudit } from './team-audit.js';
import { TeamInvitations } from './team-invitations.js';
import { TeamInvite } from './team-invite.js';
import { TeamMembers } from './team-members.js';
import { TeamWorkspace } from './team-workspace.js';

/** For admins: the members and their roles, invitations, and the audit log. */
export function TeamScreen({ userEmail }: { userEmail: string }) {
  const { info } = useWorkspace();
  // Bumped after an invitation is made, so the pending list and the audit log show it.
  const [version, setVersion] = useState(0);
  if (!info) return <p className="muted">Loading…</p>;
  return (
    <section className="card" aria-labelledby="team-title">
      <header className="card__header">
        <h2 id="team-title">Team</h2>
        <span className="muted" data-testid="workspace-name">
          {info.workspace.name}
        </span>
      </header>
      <TeamWorkspace name={info.workspace.name} defaultCountry={info.workspace.defaultCountry ?? 'US'} />
      <TeamInvite onCreated={() => setVersion((v) => v + 1)} />
      <TeamInvitations workspaceId={info.workspace.id} version={version} />
      <TeamMembers workspaceId={info.workspace.id} userEmail={userEmail} onChanged={() => setVersion((v) => v + 1)} />
      <TeamAudit workspaceId={info.workspace.id} version={version} />
    </section>
  );
}
