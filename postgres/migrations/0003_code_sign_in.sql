-- code_sign_in_off: the owner turned code-only sign-in off, so a code
-- alone never signs the account in; a password and a code are needed.
ALTER TABLE accounts ADD COLUMN code_sign_in_off BOOLEAN NOT NULL DEFAULT FALSE;
-- after_password marks a sign-in code sent after a right password: the
-- only kind that signs in an account with code-only sign-in off.
ALTER TABLE challenges ADD COLUMN after_password BOOLEAN NOT NULL DEFAULT FALSE;
