-- The PostgreSQL twin of sqlite's 0008_dev_mailbox_retention.sql.
--
-- The dev mailbox (used when no relay is set) keeps its messages here, so
-- that every node sharing the database shows every node's mail. A message
-- holds its code, so it is kept only sealed under the server secret
-- (invariant 1); the store keeps the newest few hundred. seq orders them.
CREATE TABLE dev_messages (
	seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	message_id TEXT NOT NULL,
	to_addr    TEXT NOT NULL,
	to_key     TEXT NOT NULL,
	at         BIGINT NOT NULL,
	sealed     BYTEA NOT NULL
);
CREATE INDEX dev_messages_to ON dev_messages (to_key, seq);
CREATE INDEX dev_messages_id ON dev_messages (message_id, seq);

-- Retention deletes rows by age; these indexes let each round find them
-- without reading whole tables.
CREATE INDEX events_at ON events (at);
CREATE INDEX challenges_expires ON challenges (expires_at);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_ended ON sessions (ended_at);
-- Deleting a challenge checks the outbox's reference to it.
CREATE INDEX outbox_challenge ON outbox (challenge_id);
