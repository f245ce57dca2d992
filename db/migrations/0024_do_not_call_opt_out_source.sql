-- A callee who presses the opt-out key during the safe-harbor message (47 CFR 64.1200(a)(7)(i)(B))
-- was listed as source 'manual' under the rep's email, so the list and the compliance log said
-- the rep added the number by hand. It is the callee's own request: source 'opt_out'.
alter table do_not_call_numbers drop constraint do_not_call_numbers_source_check;
alter table do_not_call_numbers add constraint do_not_call_numbers_source_check
  check (source in ('manual', 'import', 'registry', 'disposition', 'lead_status', 'opt_out'));
