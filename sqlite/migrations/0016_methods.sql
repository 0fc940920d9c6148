-- The methods an account adds beside its address's codes and its
-- password: an authenticator app (its secret sealed under the server
-- secret, and the last time step it accepted, so that no step verifies
-- twice) and a recovery code set. At most one of each kind per account.
CREATE TABLE methods (
	id           TEXT PRIMARY KEY,
	account_id   TEXT NOT NULL REFERENCES accounts (id),
	kind         TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER NOT NULL DEFAULT 0,
	secret       BLOB,
	last_step    INTEGER NOT NULL DEFAULT 0,
	UNIQUE (account_id, kind)
);

-- A recovery code set's codes, each kept only as its MAC under the
-- server secret; used_at marks a code spent.
CREATE TABLE recovery_codes (
	method_id  TEXT NOT NULL REFERENCES methods (id),
	account_id TEXT NOT NULL,
	code_mac   BLOB NOT NULL,
	used_at    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (account_id, code_mac)
);
CREATE INDEX recovery_codes_method ON recovery_codes (method_id);
