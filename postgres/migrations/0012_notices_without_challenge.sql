-- A notice may come from no code: the owner is told when an app first
-- gets access to the account, whether the session that allowed it began
-- with a code or with a password alone. Such a message has no challenge;
-- it is pruned by its own age instead of its challenge's.
ALTER TABLE outbox ALTER COLUMN challenge_id DROP NOT NULL;
CREATE INDEX outbox_unchallenged ON outbox (created_at) WHERE challenge_id IS NULL;
