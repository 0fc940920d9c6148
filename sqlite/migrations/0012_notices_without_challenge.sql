-- A notice may come from no code: the owner is told when an app first
-- gets access to the account, whether the session that allowed it began
-- with a code or with a password alone. Such a message has no challenge;
-- it is pruned by its own age instead of its challenge's. SQLite cannot
-- drop a NOT NULL, so the table is made again with the same columns and
-- indexes; nothing refers to it.
CREATE TABLE outbox_new (
	id           TEXT PRIMARY KEY,
	challenge_id TEXT REFERENCES challenges (id),
	message_id   TEXT NOT NULL,
	kind         TEXT NOT NULL,
	to_addr      TEXT NOT NULL,
	payload      BLOB,
	created_at   INTEGER NOT NULL,
	not_after    INTEGER NOT NULL,
	next_attempt INTEGER NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	state        TEXT NOT NULL,
	last_error   TEXT NOT NULL DEFAULT '',
	finished_at  INTEGER
);
INSERT INTO outbox_new (id, challenge_id, message_id, kind, to_addr, payload, created_at, not_after,
	next_attempt, attempts, state, last_error, finished_at)
	SELECT id, challenge_id, message_id, kind, to_addr, payload, created_at, not_after,
	next_attempt, attempts, state, last_error, finished_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (state, next_attempt);
CREATE INDEX outbox_challenge ON outbox (challenge_id);
CREATE INDEX outbox_unchallenged ON outbox (created_at) WHERE challenge_id IS NULL;
