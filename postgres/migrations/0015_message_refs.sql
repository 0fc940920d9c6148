-- Every message carries a reference, a MAC of its Message-ID, so that
-- whoever holds a message can ask otpd whether it sent it. The reference
-- is kept with the outbox row, which outlives the wiped payload, and is
-- looked up by it. Messages queued before have none.
ALTER TABLE outbox ADD COLUMN ref TEXT;
CREATE INDEX outbox_ref ON outbox (ref) WHERE ref IS NOT NULL;

-- Reports of forged messages people checked, sealed under the server
-- secret for the operator (otpd inspect --reports); the newest thousand
-- are kept. seq orders them.
CREATE TABLE forgery_reports (
	seq    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at     BIGINT NOT NULL,
	sealed BYTEA NOT NULL
);
