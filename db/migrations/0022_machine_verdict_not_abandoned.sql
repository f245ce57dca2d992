-- An answering machine (or fax) is never abandoned (47 CFR 64.1200(a)(7) counts calls answered by
-- a person). With asynchronous AMD the verdict often lands after the dial result that marked an
-- answered call abandoned (a greeting runs past the 5 s the rep's browser rings), and 0020 kept
-- the first abandonment written: the call then stayed abandoned, and counted in the rate as a
-- person, in one order of the same callbacks and not in the other (TR3). Now a machine or fax
-- verdict on the row clears the abandonment, whichever came first. The safe-harbor message, once
-- played, stays recorded (safe_harbor_at).
create or replace function active_calls_before_update_compliance() returns trigger language plpgsql as $$
begin
  if new.status = 'in-progress' and old.status is distinct from 'in-progress' and new.session_id is null then
    new.connected_at := coalesce(new.connected_at, new.answered_at);
  end if;
  new.abandoned_at := coalesce(old.abandoned_at, new.abandoned_at);
  if new.answered_by like 'machine%' or new.answered_by = 'fax' then
    new.abandoned_at := null;
  end if;
  new.safe_harbor_at := coalesce(old.safe_harbor_at, new.safe_harbor_at);
  if new.connected_at is not null and new.ended_at is not null and new.connected_at > new.ended_at then
    new.connected_at := new.ended_at;
  end if;
  return new;
end $$;
