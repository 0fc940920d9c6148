-- Passwords, remembered devices, places and per-context lockouts.
-- Places are stored as JSON text (otpd.Place); "" is an unknown place.

ALTER TABLE accounts ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN guard_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN last_signin_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN last_place TEXT NOT NULL DEFAULT '';
-- countries: the ISO codes signed in from, comma-separated.
ALTER TABLE accounts ADD COLUMN countries TEXT NOT NULL DEFAULT '';

ALTER TABLE challenges ADD COLUMN session_id TEXT NOT NULL DEFAULT '';

ALTER TABLE sessions ADD COLUMN place TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN device_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN stepped_up_at INTEGER;
-- step_up_challenge is the challenge of the latest step-up: a notice of
-- a change made in the session links to it for "this wasn't me".
ALTER TABLE sessions ADD COLUMN step_up_challenge TEXT NOT NULL DEFAULT '';

ALTER TABLE events ADD COLUMN place TEXT NOT NULL DEFAULT '';

-- A guard now counts one account's failures in one context; the failures
-- counted so far came from anywhere, so they stay with the unfamiliar one.
ALTER TABLE guards RENAME COLUMN email_key TO guard_key;
ALTER TABLE guards ADD COLUMN locked_until INTEGER NOT NULL DEFAULT 0;
UPDATE guards SET guard_key = 'unfamiliar:' || guard_key;

CREATE TABLE devices (
	id         TEXT NOT NULL,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	name       TEXT NOT NULL,
	first_seen INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	last_ip    TEXT NOT NULL,
	last_place TEXT NOT NULL,
	PRIMARY KEY (account_id, id)
);
