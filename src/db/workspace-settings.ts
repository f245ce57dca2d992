import type { Database } from './database.js';
import { recordAudit, type WorkspaceRow } from './workspaces.js';

export interface WorkspaceSettings {
  readonly name?: string;
  /** Checked by the caller: a country libphonenumber knows, ISO 3166-1 alpha-2. */
  readonly defaultCountry?: string;
}

/**
 * Changes a workspace's name and default country, audited (`workspace.settings_changed`, with
 * what each was) in the same transaction. A change to what it already is writes nothing.
 */
export async function updateWorkspaceSettings(db: Database, input: { workspaceId: string; actorEmail: string; settings: WorkspaceSettings }): Promise<WorkspaceRow> {
  return db.transaction(async (tx) => {
    const [current] = await tx.sql<WorkspaceRow>`select * from workspaces where id = ${input.workspaceId} for update`;
    if (!current) throw new Error(`workspace ${input.workspaceId} is gone while its member is active`);
    const name = input.settings.name ?? current.name;
    const defaultCountry = input.settings.defaultCountry ?? current.default_country;
    if (name === current.name && defaultCountry === current.default_country) return current;
    const [updated] = await tx.sql<WorkspaceRow>`
      update workspaces set name = ${name}, default_country = ${defaultCountry} where id = ${input.workspaceId} returning *`;
    if (!updated) throw new Error(`workspace ${input.workspaceId} vanished under its lock`);
    await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actorEmail: input.actorEmail,
      action: 'workspace.settings_changed',
      target: input.workspaceId,
      details: {
        ...(name === current.name ? {} : { name: { from: current.name, to: name } }),
        ...(defaultCountry === current.default_country ? {} : { defaultCountry: { from: current.default_country, to: defaultCountry } }),
      },
    });
    return updated;
  });
}
