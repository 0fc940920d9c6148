-- sent is false for a code request that sent nothing (the account turned
-- code-only sign-in off, or is under attack and the requester is a
-- stranger): such requests do not count against the address's send caps,
-- or a flood would spend them and keep the owner's own codes from coming.
ALTER TABLE challenges ADD COLUMN sent INTEGER NOT NULL DEFAULT 1;
