-- Calling-hour rules of the states whose windows are stricter than the federal 08:00–21:00
-- (47 CFR 64.1200(c)(1)), each with the statute or rule it comes from. Times are the called
-- party's local time. A row for (region, day) narrows that day's window for callees in the
-- region; both times null: no calls that day; 'holiday' is a US federal holiday (5 U.S.C. 6103)
-- and takes the place of the weekday's row. Only rules we could cite are seeded; an admin edits
-- the workspace's copy (calling_hour_rules). This is not legal advice: a state's scope (which
-- callers and calls it covers, its own holidays and exemptions) is for the workspace to check.
insert into calling_hour_rule_defaults (region, day, window_start, window_end, source)
select rule.region, day, rule.window_start, rule.window_end, rule.source
from (values
  ('TX', array['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], time '09:00', time '21:00',
    'Tex. Bus. & Com. Code § 301.051: no telephone solicitation before 9 a.m. or after 9 p.m. on a weekday or Saturday'),
  ('TX', array['sun'], time '12:00', time '21:00',
    'Tex. Bus. & Com. Code § 301.051: no telephone solicitation before noon or after 9 p.m. on a Sunday'),
  ('FL', array['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], time '08:00', time '20:00',
    'Fla. Stat. § 501.616(6)(a): no commercial telephone solicitation call before 8 a.m. or after 8 p.m. local time in the called person''s time zone'),
  ('OK', array['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], time '08:00', time '20:00',
    'Okla. Stat. tit. 15, § 775C.4 (Telephone Solicitation Act of 2022): no commercial telephonic sales call before 8 a.m. or after 8 p.m. at the called party''s location'),
  ('WA', array['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], time '08:00', time '20:00',
    'RCW 19.158.040(2): a commercial telephone solicitor shall not place calls received before 8:00 a.m. or after 8:00 p.m. at the call recipient''s local time'),
  ('MD', array['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], time '08:00', time '20:00',
    'Md. Code, Com. Law Title 14, Subtitle 45 (Stop the Spam Calls Act of 2023, §§ 14-4501 ff.): telephone solicitations only between 8 a.m. and 8 p.m. in the called party''s time zone'),
  ('CT', array['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], time '09:00', time '20:00',
    'Conn. Gen. Stat. § 42-288a, as amended by P.A. 23-98 (eff. 2023-10-01): telephonic sales calls only between 9 a.m. and 8 p.m. local time'),
  ('MA', array['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], time '08:00', time '20:00',
    '201 CMR 12.02(2) (under M.G.L. c. 159C): no unsolicited telephonic sales call between 8:00 p.m. and 8:00 a.m. local time at the consumer''s location'),
  ('LA', array['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], time '08:00', time '20:00',
    'La. R.S. 45:811(2): sales calls by automated equipment or a live operator only between 8:00 a.m. and 8:00 p.m., Monday through Saturday'),
  ('LA', array['sun', 'holiday'], null::time, null::time,
    'La. R.S. 45:811(3): no sales calls on Sundays or on days declared a state holiday (state holidays that are not federal ones are not covered by this row)'),
  ('AL', array['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], time '08:00', time '20:00',
    'Ala. Admin. Code r. 770-X-5-.17(1)(b) (Alabama PSC, automated solicitation calls): none before 8 a.m. or after 8 p.m.'),
  ('AL', array['sun', 'holiday'], null::time, null::time,
    'Ala. Admin. Code r. 770-X-5-.17(1)(b) (Alabama PSC, automated solicitation calls): no solicitation calls on Sundays or holidays'),
  ('MS', array['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], time '08:00', time '20:00',
    'Miss. Code Ann. § 77-3-723: telephone solicitations only between 8:00 a.m. and 8:00 p.m.'),
  ('MS', array['sun'], null::time, null::time,
    'Miss. Code Ann. § 77-3-723: no telephone solicitations on a Sunday'),
  ('UT', array['sun', 'holiday'], null::time, null::time,
    'Utah Code § 13-25a-103(3): no telephone solicitation without prior express consent on a Sunday or a legal holiday (and none between 9 p.m. and 8 a.m.)'),
  ('RI', array['mon', 'tue', 'wed', 'thu', 'fri'], time '09:00', time '18:00',
    'R.I. Gen. Laws §§ 5-61-2, 5-61-3.6: hours of operation for unsolicited telephonic sales calls are Monday through Friday 9:00 a.m. to 6:00 p.m.'),
  ('RI', array['sat'], time '10:00', time '17:00',
    'R.I. Gen. Laws §§ 5-61-2, 5-61-3.6: hours of operation on Saturday are 10:00 a.m. to 5:00 p.m.'),
  ('RI', array['sun', 'holiday'], null::time, null::time,
    'R.I. Gen. Laws §§ 5-61-2, 5-61-3.6: no hours of operation on Sundays or on a state or federal holiday'),
  ('PA', array['holiday'], null::time, null::time,
    '73 P.S. § 2245(a)(10) (Act 73 of 2019): no telephone solicitation calls on legal holidays (Pennsylvania''s list also has days this row does not cover, e.g. Good Friday, Flag Day, Election Day)')
) as rule(region, days, window_start, window_end, source)
cross join lateral unnest(rule.days) as day
on conflict (region, day) do nothing;

-- Workspaces created from now on get a copy from 0018's trigger; the ones that exist get it here.
insert into calling_hour_rules (workspace_id, region, day, window_start, window_end, source)
select workspaces.id, defaults.region, defaults.day, defaults.window_start, defaults.window_end, defaults.source
from workspaces cross join calling_hour_rule_defaults as defaults
on conflict (workspace_id, region, day) do nothing;
