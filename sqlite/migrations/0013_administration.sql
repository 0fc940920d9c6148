-- Administration: an account an administrator disabled keeps the time it
-- was disabled (0: enabled); admin tokens are kept as their SHA-256; and
-- what remains of a deleted account's events are counts per day (days
-- since 1970-01-01, UTC) and type, which name no account.
ALTER TABLE accounts ADD COLUMN disabled_at INTEGER NOT NULL DEFAULT 0;

CREATE TABLE admin_tokens (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	scope      TEXT NOT NULL,
	token_hash BLOB NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
);

CREATE TABLE event_counts (
	day   INTEGER NOT NULL,
	type  TEXT NOT NULL,
	count INTEGER NOT NULL,
	PRIMARY KEY (day, type)
);

CREATE INDEX challenges_account ON challenges (account_id);
