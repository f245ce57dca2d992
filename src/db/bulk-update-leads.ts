import { CALL_STATUSES, isTerminal } from '../core/call-status.js';
import { leadStatusAfterSet } from '../core/dispositions.js';
import { fail, ok, type Result } from '../core/errors.js';
import type { BulkLeadChange, BulkSkip } from '../core/lead-lists.js';
import type { LeadStatus } from '../core/rows.js';
import { seesWholeWorkspace, type Role } from '../core/workspace.js';
import type { Database, Queryable } from './database.js';
import { addToDoNotCall } from './do-not-call.js';
import { lockLeadList } from './lead-lists.js';
import { recordAudit } from './workspaces.js';

/** Who acts: a member of the workspace, with their role (a rep acts on their own leads only). */
export interface BulkActor {
  readonly workspaceId: string;
  readonly email: string;
  readonly role: Role;
}

export interface BulkOutcome {
  /** Leads written (or deleted). */
  readonly updated: number;
  /** Leads of the selection left as they were, each with why, in the order asked. */
  readonly skipped: readonly BulkSkip[];
}

interface SelectedLead {
  id: string;
  user_email: string;
  name: string;
  phone: string;
  status: LeadStatus;
  list_id: string | null;
  is_on_call: boolean;
}

const asJsonArray = (values: readonly string[]) => JSON.stringify(values);

/** The leads a statement acts on: its first parameter, a JSON array of ids. */
const CHOSEN = 'select jsonb_array_elements_text($1::text::jsonb)::uuid';

/** A call not yet ended, as a SQL list of our own words (so the live-call index applies). */
const LIVE_STATUSES_SQL = CALL_STATUSES.filter((status) => !isTerminal(status))
  .map((status) => `'${status}'`)
  .join(', ');

/**
 * Checks the action's target before any lead is read: the assignee must be an active member of
 * the caller's workspace (and a rep may assign only to themselves); a move's list must be a live
 * list of the workspace. The target row is locked FOR SHARE, so a deactivation or an archive
 * waits for this transaction instead of slipping in under it.
 */
async function checkTarget(tx: Queryable, actor: BulkActor, change: BulkLeadChange): Promise<Result<void>> {
  if (change.action === 'assign') {
    if (!seesWholeWorkspace(actor.role) && change.userEmail !== actor.email) {
      return fail('forbidden', 'A rep can assign leads only to themselves: ask a manager to assign them to someone else.');
    }
    const [member] = await tx.sql<{ is_active: boolean }>`
      select is_active from workspace_members where user_email = ${change.userEmail} and workspace_id = ${actor.workspaceId} for share`;
    if (!member?.is_active) return fail('not_found', `${change.userEmail} is not an active member of your workspace: leads can be assigned only to one.`);
  }
  if (change.action === 'move' && change.listId !== null) {
    const list = await lockLeadList(tx, actor.workspaceId, change.listId, 'share');
    if (!list) return fail('list_not_found', 'No list of your workspace has that listId.');
    if (list.archived_at) return fail('list_archived', `The list "${list.name}" is archived: it takes no new leads.`);
  }
  return ok(undefined);
}

/** Why this lead is left alone by this change, or undefined when the change applies to it. */
function skipReason(lead: SelectedLead, change: BulkLeadChange): BulkSkip['reason'] | undefined {
  switch (change.action) {
    case 'assign':
      if (lead.user_email === change.userEmail) return 'unchanged';
      return lead.is_on_call ? 'on_call' : undefined;
    case 'move':
      return lead.list_id === change.listId ? 'unchanged' : undefined;
    case 'set_status': {
      const outcome = leadStatusAfterSet(change.status, lead.status);
      return outcome.kind === 'change' ? undefined : outcome.kind === 'sticky' ? 'do_not_call' : 'unchanged';
    }
    case 'delete':
      return lead.is_on_call ? 'on_call' : undefined;
    default: {
      const unknown: never = change;
      throw new Error(`unknown bulk action ${JSON.stringify(unknown)}`);
    }
  }
}

async function applyChange(tx: Queryable, actor: BulkActor, change: BulkLeadChange, leads: readonly SelectedLead[]): Promise<void> {
  const ids = asJsonArray(leads.map((lead) => lead.id));
  switch (change.action) {
    case 'assign': {
      // The owner is who the lead is assigned to: visibility, realtime and RLS follow it.
      await tx.query(`update leads set user_email = $2 where id in (${CHOSEN})`, [ids, change.userEmail]);
      const previousOwners: Record<string, number> = {};
      for (const lead of leads) previousOwners[lead.user_email] = (previousOwners[lead.user_email] ?? 0) + 1;
      await recordAudit(tx, {
        workspaceId: actor.workspaceId,
        actorEmail: actor.email,
        action: 'leads.assigned',
        target: change.userEmail,
        details: { count: leads.length, leadIds: leads.map((lead) => lead.id), previousOwners },
      });
      return;
    }
    case 'move':
      await tx.query(`update leads set list_id = $2::uuid where id in (${CHOSEN})`, [ids, change.listId]);
      return;
    case 'set_status':
      // As a disposition does: a status other than callback ends the promised callback.
      await tx.query(
        `update leads set status = $2::text, callback_at = case when $2::text = 'callback' then callback_at else null end where id in (${CHOSEN})`,
        [ids, change.status],
      );
      if (change.status === 'do_not_call') {
        // As saveDisposition does: the workspace's do-not-call list keeps the number even if the
        // lead goes. The one who set the status added it; each lead's number once. Without the
        // dial gate's lock: the leads are locked FOR UPDATE already, and a dial that holds the
        // gate's lock waits for its lead's row (the foreign key of its call), so taking the gate's
        // lock now could deadlock. Not needed either: a dial whose check starts after this commits
        // reads the entry (and the lead's status) under READ COMMITTED (see addToDoNotCall).
        await addToDoNotCall(tx, { userEmail: actor.email, numbers: leads.map((lead) => lead.phone), source: 'lead_status', takesDialGateLock: false });
      }
      return;
    case 'delete':
      await tx.query(`delete from leads where id in (${CHOSEN})`, [ids]);
      await recordAudit(tx, {
        workspaceId: actor.workspaceId,
        actorEmail: actor.email,
        action: 'leads.deleted',
        target: null,
        // Enough to tell who the leads were (and to re-add one by hand).
        details: { count: leads.length, leads: leads.map((lead) => ({ id: lead.id, name: lead.name, phone: lead.phone, owner: lead.user_email })) },
      });
      return;
    default: {
      const unknown: never = change;
      throw new Error(`unknown bulk action ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * Applies one action to a selection of leads in one transaction. A manager or admin acts on any
 * lead of their workspace; a rep on their own leads only (another's lead is `not_found` to them,
 * as RLS hides it). The leads are locked in id order (two bulk actions on overlapping selections
 * wait for each other instead of deadlocking), each is checked (`skipReason`), and the rest are
 * written with one statement; assign and delete are audited with the leads they touched. A
 * refused target (`forbidden`, `not_found`, `list_not_found`, `list_archived`) writes nothing.
 */
export async function bulkUpdateLeads(db: Database, actor: BulkActor, leadIds: readonly string[], change: BulkLeadChange): Promise<Result<BulkOutcome>> {
  const wanted = [...new Set(leadIds)];
  return db.transaction(async (tx) => {
    const target = await checkTarget(tx, actor, change);
    if (!target.ok) return target;
    const rows = await tx.query<SelectedLead>(
      `select l.id, l.user_email, l.name, l.phone, l.status, l.list_id,
         l.id in (select c.lead_id from active_calls c
                  where c.workspace_id = $2 and c.status in (${LIVE_STATUSES_SQL}) and c.lead_id is not null) as is_on_call
       from leads l
       where l.id in (${CHOSEN}) and l.workspace_id = $2 and (l.user_email = $3 or $4::boolean)
       order by l.id
       for update of l`,
      [asJsonArray(wanted), actor.workspaceId, actor.email, seesWholeWorkspace(actor.role)],
    );
    const found = new Map(rows.map((row) => [row.id, row]));
    const skipped: BulkSkip[] = [];
    const applicable: SelectedLead[] = [];
    for (const leadId of wanted) {
      const lead = found.get(leadId);
      const reason = lead ? skipReason(lead, change) : 'not_found';
      if (reason) skipped.push({ leadId, reason });
      else if (lead) applicable.push(lead);
    }
    if (applicable.length > 0) await applyChange(tx, actor, change, applicable);
    return ok({ updated: applicable.length, skipped });
  });
}
