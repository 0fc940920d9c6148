-- Webhooks queued for delivery, one row per event and endpoint, written in
-- the transaction that records the event. A table of their own beside the
-- outbox, claimed the same way: a webhook has no address, Message-ID,
-- challenge or sealed payload, and neither worker filters the other's
-- rows out. account_id refers to no account: a webhook outlives the
-- account it reports on (its deletion is one). A row whose delivery
-- ended stays, with its state, until retention deletes it.
CREATE TABLE webhooks (
	id           TEXT PRIMARY KEY,
	endpoint     TEXT NOT NULL,
	type         TEXT NOT NULL,
	account_id   TEXT NOT NULL DEFAULT '',
	body         BYTEA NOT NULL,
	created_at   BIGINT NOT NULL,
	next_attempt BIGINT NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	state        TEXT NOT NULL,
	last_error   TEXT NOT NULL DEFAULT '',
	finished_at  BIGINT
);
CREATE INDEX webhooks_due ON webhooks (state, next_attempt);
CREATE INDEX webhooks_finished ON webhooks (finished_at) WHERE finished_at IS NOT NULL;
