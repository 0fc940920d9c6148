-- A verified recovery address can receive sign-in and reset codes when
-- the owner chooses it; "" is none.
ALTER TABLE accounts ADD COLUMN recovery_email TEXT NOT NULL DEFAULT '';

-- email_changes keeps each change of an account's primary address, named
-- by the challenge whose code confirmed the new address, so that the old
-- address's "undo" link (a deny link of that challenge) can move the
-- account back until undo_until.
CREATE TABLE email_changes (
	id         TEXT PRIMARY KEY REFERENCES challenges (id),
	account_id TEXT NOT NULL REFERENCES accounts (id),
	old_email  TEXT NOT NULL,
	new_email  TEXT NOT NULL,
	changed_at BIGINT NOT NULL,
	undo_until BIGINT NOT NULL,
	undone_at  BIGINT
);
