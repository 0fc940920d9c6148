-- Every message carries a reference, a MAC of its Message-ID, so that
-- whoever holds a message can ask otpd whether it sent it. The reference
-- is kept with the outbox row, which outlives the wiped payload, and is
-- looked up by it. Messages queued before have none.
ALTER TABLE outbox ADD COLUMN ref TEXT;
CREATE INDEX outbox_ref ON outbox (ref) WHERE ref IS NOT NULL;
