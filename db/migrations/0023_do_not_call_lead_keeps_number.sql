-- A lead whose status is do_not_call stops every dial of its number, even after an admin takes the
-- number off the workspace's list (README, "The do-not-call list"). A rep may change a lead's
-- phone and delete their own lead through REST (migrations 0007, 0011): done to such a lead, a
-- rep could drop that stop and dial the number from the keypad. So a client (the authenticated
-- role) neither changes the number of nor deletes a lead that asked not to be called; the server
-- (an admin's or manager's bulk action) still may.
create function leads_keep_do_not_call_number() returns trigger language plpgsql as $$
begin
  if current_user = 'authenticated' and old.status = 'do_not_call'
     and (tg_op = 'DELETE' or new.phone is distinct from old.phone) then
    raise exception 'The lead % asked not to be called: its number % is kept (an admin or manager may delete the lead).', old.name, old.phone
      using errcode = '42501', hint = 'A lead with the status do_not_call keeps its number so that no one dials it.';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;
create trigger leads_keep_do_not_call_number before update of phone or delete on leads
  for each row execute function leads_keep_do_not_call_number();
