-- One lead per number in a workspace (issue 12), checked by the database so every writer obeys it:
-- the lead form (whose own look-up sees only what RLS shows, so a rep sees only their own leads'
-- numbers), REST clients and server code alike. Imports already skip or update duplicates by
-- E.164 number (src/db/lead-import.ts), so they never trip it.
--
-- A trigger, not a unique index: workspaces made before this migration may already hold leads
-- that share a number, and those rows are left as they are. So the check runs only when a row
-- gets a number (insert, or an update that changes the phone), never when an old duplicate is
-- edited otherwise.
--
-- SECURITY DEFINER so the look-up sees every lead of the workspace, not only the caller's; the
-- message never names the other lead (a rep may not see another rep's lead). The check and the
-- insert race between transactions, so it takes the lock imports already take per workspace
-- (src/db/lead-import.ts applyBatch): new numbers of one workspace are written one transaction
-- at a time.
create function leads_phone_unique_per_workspace() returns trigger language plpgsql security definer
set search_path = public, pg_temp as $$
begin
  if tg_op = 'UPDATE' and new.phone is not distinct from old.phone and new.workspace_id is not distinct from old.workspace_id then
    return new;
  end if;
  perform pg_advisory_xact_lock(hashtext('lead_import'), hashtext(new.workspace_id::text));
  if exists (select 1 from leads where workspace_id = new.workspace_id and phone = new.phone and id <> new.id) then
    raise exception 'The number % is already a lead in this workspace.', new.phone
      using errcode = '23505', hint = 'Open that lead instead of adding the number twice.';
  end if;
  return new;
end $$;

-- Named to fire after leads_fill_workspace (triggers fire in name order), which sets workspace_id.
create trigger leads_phone_unique before insert or update of phone on leads
  for each row execute function leads_phone_unique_per_workspace();
