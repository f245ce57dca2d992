-- Exports read history and leads oldest first, in pages of (time, id) after the last row sent,
-- within the requester's workspace (src/db/export-pages.ts). With the id in the index a page is
-- an ordered index range of its own rows, so the last page costs what the first does; without
-- it every page sorts the rest of the range.
create index call_logs_workspace_keyset on call_logs (workspace_id, ended_at, id);
create index leads_workspace_keyset on leads (workspace_id, created_at, id);
