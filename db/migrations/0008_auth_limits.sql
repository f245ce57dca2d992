-- When a refresh token was used up. A second use within the reuse interval (two tabs refreshing
-- at once) is told apart from a leaked token played back later, which ends the session.
-- Tokens used before this migration have none, so they count as used long ago.
alter table auth.refresh_tokens add column revoked_at timestamptz;
alter table auth.refresh_tokens add constraint refresh_tokens_revoked_at check (revoked_at is null or revoked);

-- RFC 5321's limit on an address, as the sign-up endpoint checks it (longer ones cannot exist).
alter table auth.users add constraint users_email_length check (char_length(email) <= 254) not valid;
