-- The PostgreSQL twin of sqlite's 0009_mailbox_caps.sql.
--
-- Send caps count every code request that was not refused, per mailbox
-- (the address without a sub-address tag; Gmail without dots) and per
-- context (the owner's remembered devices apart from everything else):
-- mailbox_key and familiar replace sent. Rows written before are counted
-- as unfamiliar, and their mailbox_key is the address's key until the Go
-- step of this migration (sqlstore's rekey) fixes the few that differ;
-- that step also re-keys addresses whose key the old case mapping got
-- wrong (non-NFC spellings, and letters like U+0130 that lowered to ASCII).
ALTER TABLE challenges ADD COLUMN mailbox_key TEXT NOT NULL DEFAULT '';
ALTER TABLE challenges ADD COLUMN familiar BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE challenges SET mailbox_key = email_key;
ALTER TABLE challenges DROP COLUMN sent;
CREATE INDEX challenges_mailbox ON challenges (mailbox_key, familiar, created_at);
