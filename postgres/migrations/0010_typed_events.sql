-- Events carry what the pages need as typed columns, not sentences: the
-- code's purpose, whether a request was a resend, which case of its type
-- an event is (why a request sent no code, a password rather than a code,
-- ...) and what it concerns (a device's name, a masked address). A session
-- keeps the flow whose code started it. The detail column is no longer
-- written; the updates below fill the new columns once, for rows older
-- versions wrote, from the words those versions used. Nothing reads detail
-- after this migration.
ALTER TABLE events ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN resend BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE events ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN concerns TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN flow_id TEXT NOT NULL DEFAULT '';

-- Code requests: "[new ]<code> requested[ (resend)][; ...]", or the words
-- of a request that could send nothing.
UPDATE events SET resend = TRUE
	WHERE type IN ('code_requested', 'code_request_refused') AND detail LIKE 'new %';
UPDATE events SET purpose = CASE
		WHEN detail LIKE 'code to create the account%' OR detail LIKE 'new code to create the account%' THEN 'sign_up'
		WHEN detail LIKE 'password reset%' OR detail LIKE 'new password reset%' THEN 'reset_password'
		WHEN detail LIKE 'code to confirm a change%' OR detail LIKE 'new code to confirm a change%' THEN 'step_up'
		WHEN detail LIKE 'code to confirm a new sign-in address%' OR detail LIKE 'new code to confirm a new sign-in address%' THEN 'change_email'
		WHEN detail LIKE 'code to confirm a recovery address%' OR detail LIKE 'new code to confirm a recovery address%' THEN 'add_recovery'
		ELSE 'sign_in' END
	WHERE type IN ('code_requested', 'code_request_refused');
UPDATE events SET reason = CASE
		WHEN type = 'code_request_refused' THEN 'refused'
		WHEN detail LIKE '%held back%' THEN 'held_back'
		WHEN detail LIKE '%code-only sign-in is off%' THEN 'code_sign_in_off'
		WHEN detail LIKE '%without an account%' THEN 'no_account'
		ELSE '' END
	WHERE type IN ('code_requested', 'code_request_refused');
-- Every other event of a flow is about its code: the purpose of the
-- flow's first request.
UPDATE events SET purpose = COALESCE((SELECT r.purpose FROM events r
		WHERE r.flow_id = events.flow_id AND r.type IN ('code_requested', 'code_request_refused')
		ORDER BY r.at, r.seq LIMIT 1), '')
	WHERE flow_id <> '' AND type NOT IN ('code_requested', 'code_request_refused');

-- The cases of the other types, and what they concern.
UPDATE events SET reason = 'disowned'
	WHERE type = 'code_denied' AND detail = 'the owner of the address the code was sent to said they did not ask for it';
UPDATE events SET reason = 'password' WHERE type = 'session_started' AND detail = 'signed in with a password';
UPDATE events SET reason = 'changed' WHERE type = 'password_set' AND detail = 'password changed';
UPDATE events SET reason = 'code_needed', concerns = SUBSTR(detail, 34)
	WHERE type = 'password_verified' AND detail LIKE 'password correct; code required: %';
UPDATE events SET concerns = REPLACE(SUBSTR(detail, 23), '; no code needed', '')
	WHERE type = 'password_verified' AND detail LIKE 'password correct from %';
UPDATE events SET reason = 'not_checked' WHERE type = 'password_wrong' AND detail LIKE 'password not checked%';
UPDATE events SET concerns = CASE WHEN detail LIKE '%from a familiar%' THEN 'familiar' ELSE 'unfamiliar' END
	WHERE type = 'password_wrong';
UPDATE events SET reason = 'code_sign_in_on' WHERE type = 'settings_changed' AND detail = 'code-only sign-in turned on';
UPDATE events SET reason = 'code_sign_in_off' WHERE type = 'settings_changed' AND detail LIKE 'code-only sign-in turned off%';
UPDATE events SET reason = 'reported', concerns = REPLACE(SUBSTR(detail, 38), ' after the reported code request', '')
	WHERE type = 'sessions_ended' AND detail LIKE 'signed out the sessions started from %';
UPDATE events SET concerns = SUBSTR(detail, 25) WHERE type = 'session_ended' AND detail LIKE 'signed out a session of %';
UPDATE events SET concerns = SUBSTR(detail, 19) WHERE type = 'device_forgotten' AND detail LIKE 'device forgotten: %';
UPDATE events SET concerns = SUBSTR(detail, 20) WHERE type = 'device_remembered' AND detail LIKE 'device remembered: %';
UPDATE events SET concerns = SUBSTR(detail, 27) WHERE type = 'recovery_removed' AND detail LIKE 'recovery address removed: %';
UPDATE events SET concerns = SUBSTR(detail, 25) WHERE type = 'recovery_added' AND detail LIKE 'recovery address added: %';
UPDATE events SET concerns = SUBSTR(detail, 30) WHERE type = 'email_changed' AND detail LIKE 'sign-in address changed from %';
UPDATE events SET concerns = CASE WHEN detail LIKE 'codes confirming %' THEN 'confirming'
		WHEN detail LIKE 'familiar %' THEN 'familiar' ELSE 'unfamiliar' END
	WHERE type = 'locked_out';

-- A session a code started shares its second with its session_started
-- event, from the same IP: the match the activity page used to make.
UPDATE sessions SET flow_id = COALESCE((SELECT e.flow_id FROM events e
		WHERE e.type = 'session_started' AND e.account_id = sessions.account_id
		AND e.at = sessions.created_at AND e.ip = sessions.ip AND e.flow_id <> ''
		ORDER BY e.seq LIMIT 1), '');
