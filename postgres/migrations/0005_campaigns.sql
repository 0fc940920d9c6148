-- A campaign is a flood of code requests for one account from scattered
-- networks. The account keeps its current one (campaign_id, and until when
-- it is under attack); places is a JSON array of the places seen.
CREATE TABLE campaigns (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	started_at BIGINT NOT NULL,
	last_at    BIGINT NOT NULL,
	until      BIGINT NOT NULL,
	requests   INTEGER NOT NULL,
	places     TEXT NOT NULL
);
CREATE INDEX campaigns_account ON campaigns (account_id, started_at);

ALTER TABLE accounts ADD COLUMN campaign_id TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN campaign_until BIGINT NOT NULL DEFAULT 0;
