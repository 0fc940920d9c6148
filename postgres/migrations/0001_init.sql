-- The PostgreSQL twin of sqlite's 0001_init.sql: the same tables, columns
-- and indexes, in PostgreSQL's types. Times are BIGINT unix milliseconds
-- UTC. Addresses are kept twice: as typed, for delivery (email, to_addr),
-- and as Address.Key, for lookups and limits (email_key), so that a capital
-- letter neither duplicates an account nor escapes a limit.

CREATE TABLE accounts (
	id         TEXT PRIMARY KEY,
	email      TEXT NOT NULL,
	email_key  TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL
);

-- seq orders challenges made within the same millisecond, so that the
-- newest of a flow is well defined.
CREATE TABLE challenges (
	seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id           TEXT NOT NULL UNIQUE,
	flow_id      TEXT NOT NULL,
	purpose      TEXT NOT NULL,
	email        TEXT NOT NULL,
	email_key    TEXT NOT NULL,
	account_id   TEXT REFERENCES accounts (id),
	code_mac     BYTEA NOT NULL,
	created_at   BIGINT NOT NULL,
	expires_at   BIGINT NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	max_attempts INTEGER NOT NULL,
	status       TEXT NOT NULL,
	ip           TEXT NOT NULL,
	user_agent   TEXT NOT NULL
);
CREATE INDEX challenges_flow ON challenges (flow_id, created_at);
CREATE INDEX challenges_email ON challenges (email_key, created_at);

-- guards holds each address's wrong-code budget across all its flows. It is
-- keyed by address, not by challenge, so that a new code never resets it.
CREATE TABLE guards (
	email_key    TEXT PRIMARY KEY,
	wrong_count  INTEGER NOT NULL,
	window_start BIGINT NOT NULL
);

CREATE TABLE sessions (
	id           TEXT PRIMARY KEY,
	account_id   TEXT NOT NULL REFERENCES accounts (id),
	token_hash   BYTEA NOT NULL UNIQUE,
	created_at   BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL,
	expires_at   BIGINT NOT NULL,
	ended_at     BIGINT,
	ip           TEXT NOT NULL,
	user_agent   TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- seq orders events recorded within the same millisecond (a verified code
-- records three), so that "newest first" is stable.
CREATE TABLE events (
	seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	type       TEXT NOT NULL,
	at         BIGINT NOT NULL,
	account_id TEXT REFERENCES accounts (id),
	email      TEXT NOT NULL,
	email_key  TEXT NOT NULL,
	flow_id    TEXT NOT NULL,
	ip         TEXT NOT NULL,
	user_agent TEXT NOT NULL,
	detail     TEXT NOT NULL
);
CREATE INDEX events_account ON events (account_id, at);
-- Attaching an address's earlier events to its new account looks them up
-- by address.
CREATE INDEX events_unattached ON events (email_key) WHERE account_id IS NULL;

-- payload is NULL once delivery has ended: it holds the sealed code.
CREATE TABLE outbox (
	id           TEXT PRIMARY KEY,
	challenge_id TEXT NOT NULL REFERENCES challenges (id),
	message_id   TEXT NOT NULL,
	kind         TEXT NOT NULL,
	to_addr      TEXT NOT NULL,
	payload      BYTEA,
	created_at   BIGINT NOT NULL,
	not_after    BIGINT NOT NULL,
	next_attempt BIGINT NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	state        TEXT NOT NULL,
	last_error   TEXT NOT NULL DEFAULT '',
	finished_at  BIGINT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt);
