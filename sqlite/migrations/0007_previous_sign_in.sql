-- prev_signin_at is the sign-in before the last: codes asked for since it
-- and never used are shown to the owner as a notice on the home page.
ALTER TABLE accounts ADD COLUMN prev_signin_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX sessions_account_ip ON sessions (account_id, ip);
