-- Administration: an account an administrator disabled keeps the time it
-- was disabled (0: enabled); admin tokens are kept as their SHA-256; and
-- what remains of a deleted account's events are counts per day (days
-- since 1970-01-01, UTC) and type, which name no account.
ALTER TABLE accounts ADD COLUMN disabled_at BIGINT NOT NULL DEFAULT 0;

CREATE TABLE admin_tokens (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	scope      TEXT NOT NULL,
	token_hash BYTEA NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	revoked_at BIGINT
);

CREATE TABLE event_counts (
	day   BIGINT NOT NULL,
	type  TEXT NOT NULL,
	count BIGINT NOT NULL,
	PRIMARY KEY (day, type)
);

CREATE INDEX challenges_account ON challenges (account_id);
