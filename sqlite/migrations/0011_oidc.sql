-- otpd as an OpenID Connect provider. Apps added with `otpd clients add`
-- (apps from the configuration file are not stored), the keys that sign
-- ID tokens (sealed under a key derived from the server secret), the
-- authorization requests apps make, the grants people give them, and the
-- tokens issued. Codes, refresh tokens and secrets are kept as SHA-256
-- only, as sessions are. client_id has no foreign key: an app from the
-- configuration file has no row.
CREATE TABLE oidc_apps (
	id               TEXT PRIMARY KEY,
	name             TEXT NOT NULL,
	public           INTEGER NOT NULL,
	secret_hash      BLOB,
	redirect_uris    TEXT NOT NULL,
	post_logout_uris TEXT NOT NULL,
	scopes           TEXT NOT NULL,
	logo_url         TEXT NOT NULL,
	created_at       INTEGER NOT NULL
);

CREATE TABLE oidc_signing_keys (
	id         TEXT PRIMARY KEY,
	alg        TEXT NOT NULL,
	sealed     BLOB NOT NULL,
	public_jwk BLOB NOT NULL,
	created_at INTEGER NOT NULL,
	signs_from INTEGER NOT NULL,
	expires_at INTEGER
);

CREATE TABLE oidc_auth_requests (
	id              TEXT PRIMARY KEY,
	client_id       TEXT NOT NULL,
	redirect_uri    TEXT NOT NULL,
	state           TEXT NOT NULL,
	nonce           TEXT NOT NULL,
	scopes          TEXT NOT NULL,
	prompt          TEXT NOT NULL,
	max_age_ms      INTEGER,
	login_hint      TEXT NOT NULL,
	acr_values      TEXT NOT NULL,
	hint_subject    TEXT NOT NULL,
	code_challenge  TEXT NOT NULL,
	created_at      INTEGER NOT NULL,
	expires_at      INTEGER NOT NULL,
	account_id      TEXT REFERENCES accounts (id),
	session_id      TEXT NOT NULL DEFAULT '',
	auth_time       INTEGER,
	amr             TEXT NOT NULL DEFAULT '[]',
	acr             TEXT NOT NULL DEFAULT '',
	done_at         INTEGER,
	denied_at       INTEGER,
	code_hash       BLOB UNIQUE,
	code_expires_at INTEGER,
	redeemed_at     INTEGER
);
CREATE INDEX oidc_auth_requests_expires ON oidc_auth_requests (expires_at);

CREATE TABLE oidc_grants (
	account_id   TEXT NOT NULL REFERENCES accounts (id),
	client_id    TEXT NOT NULL,
	scopes       TEXT NOT NULL,
	granted_at   INTEGER NOT NULL,
	last_used_at INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (account_id, client_id)
);
CREATE INDEX oidc_grants_client ON oidc_grants (client_id);

-- A family is what one redeemed code led to; expires_at is when nothing
-- in it works any more (its refresh tokens' absolute end, or its access
-- token's), when pruning may take it.
CREATE TABLE oidc_token_families (
	id              TEXT PRIMARY KEY,
	account_id      TEXT NOT NULL REFERENCES accounts (id),
	client_id       TEXT NOT NULL,
	session_id      TEXT NOT NULL,
	auth_request_id TEXT NOT NULL,
	scopes          TEXT NOT NULL,
	auth_time       INTEGER NOT NULL,
	amr             TEXT NOT NULL,
	created_at      INTEGER NOT NULL,
	expires_at      INTEGER NOT NULL,
	revoked_at      INTEGER
);
CREATE INDEX oidc_token_families_grant ON oidc_token_families (account_id, client_id);
CREATE INDEX oidc_token_families_request ON oidc_token_families (auth_request_id);
CREATE INDEX oidc_token_families_expires ON oidc_token_families (expires_at);

CREATE TABLE oidc_refresh_tokens (
	id         TEXT PRIMARY KEY,
	token_hash BLOB NOT NULL UNIQUE,
	family_id  TEXT NOT NULL REFERENCES oidc_token_families (id),
	scopes     TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER
);
CREATE INDEX oidc_refresh_tokens_family ON oidc_refresh_tokens (family_id);

CREATE TABLE oidc_access_tokens (
	id         TEXT PRIMARY KEY,
	family_id  TEXT NOT NULL REFERENCES oidc_token_families (id),
	scopes     TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	revoked_at INTEGER
);
CREATE INDEX oidc_access_tokens_family ON oidc_access_tokens (family_id);
