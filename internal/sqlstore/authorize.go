package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/otpd/otpd"
)

const authRequestColumns = `id, client_id, redirect_uri, state, nonce, scopes, prompt, max_age_ms, login_hint,
	acr_values, hint_subject, code_challenge, created_at, expires_at, account_id, session_id, auth_time, amr, acr,
	done_at, denied_at, code_hash, code_expires_at, redeemed_at`

// CreateAuthRequest inserts a pending request.
func (s *Store) CreateAuthRequest(ctx context.Context, r otpd.AuthRequest) error {
	var maxAge sql.NullInt64
	if r.MaxAge != nil {
		maxAge = sql.NullInt64{Int64: r.MaxAge.Milliseconds(), Valid: true}
	}
	_, err := s.exec(ctx, `INSERT INTO oidc_auth_requests (id, client_id, redirect_uri, state, nonce, scopes, prompt,
		max_age_ms, login_hint, acr_values, hint_subject, code_challenge, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		r.ID, r.ClientID, r.RedirectURI, r.State, r.Nonce, listText(r.Scopes), listText(r.Prompt), maxAge,
		r.LoginHint, listText(r.ACRValues), r.HintSubject, r.CodeChallenge, toMS(r.CreatedAt), toMS(r.ExpiresAt))
	if err != nil {
		return s.errorf("create authorization request %s: %w", r.ID, err)
	}
	return nil
}

// AuthRequest returns a request in whatever state it is.
func (s *Store) AuthRequest(ctx context.Context, id string) (otpd.AuthRequest, error) {
	r, err := scanAuthRequest(s.db.QueryRowContext(ctx, `SELECT `+authRequestColumns+` FROM oidc_auth_requests WHERE id = $1`, id))
	if err != nil {
		return otpd.AuthRequest{}, s.errorf("authorization request %s: %w", id, notFound(err))
	}
	return r, nil
}

// AuthRequestByCode returns the request a code was issued for.
func (s *Store) AuthRequestByCode(ctx context.Context, codeHash []byte) (otpd.AuthRequest, error) {
	r, err := scanAuthRequest(s.db.QueryRowContext(ctx, `SELECT `+authRequestColumns+` FROM oidc_auth_requests WHERE code_hash = $1`, codeHash))
	if err != nil {
		return otpd.AuthRequest{}, s.errorf("authorization request by code: %w", notFound(err))
	}
	return r, nil
}

// CompleteAuthRequest locks the request, then the grant, decides, and
// marks the request done, in one transaction.
func (s *Store) CompleteAuthRequest(ctx context.Context, c otpd.CompleteRequest) (otpd.AuthRequest, error) {
	var out otpd.AuthRequest
	err := s.inTx(ctx, func(tx *txn) error {
		r, err := scanAuthRequest(tx.QueryRowContext(ctx, s.rowLocked(`SELECT `+authRequestColumns+`
			FROM oidc_auth_requests WHERE id = $1`, "FOR UPDATE"), c.ID))
		if err != nil {
			return notFound(err)
		}
		if !r.Pending(c.Now) {
			return otpd.ErrNotFound
		}
		g, err := s.lockGrant(ctx, tx, c.AccountID, r.ClientID)
		if err != nil && !errors.Is(err, otpd.ErrNotFound) {
			return err
		}
		switch {
		case c.Consent:
			if err := saveGrant(ctx, tx, g, c, r); err != nil {
				return err
			}
		case !g.Covers(r.Scopes):
			return otpd.ErrConsentRequired
		}
		_, err = tx.ExecContext(ctx, `UPDATE oidc_auth_requests SET account_id = $1, session_id = $2, auth_time = $3,
			amr = $4, acr = $5, done_at = $6 WHERE id = $7`,
			c.AccountID, c.SessionID, toMS(c.AuthTime), listText(c.AMR), c.ACR, toMS(c.Now), r.ID)
		if err != nil {
			return err
		}
		r.AccountID, r.SessionID, r.AuthTime, r.AMR, r.ACR, r.DoneAt = c.AccountID, c.SessionID, fromMS(toMS(c.AuthTime)), c.AMR, c.ACR, fromMS(toMS(c.Now))
		out = r
		return nil
	})
	if err != nil {
		return otpd.AuthRequest{}, s.errorf("complete authorization request %s: %w", c.ID, err)
	}
	return out, nil
}

// saveGrant records consent to r's scopes: g (zero when there is none)
// widened to them, and the event when that gives the app anything new;
// when there was no grant, c.Notice too.
func saveGrant(ctx context.Context, tx *txn, g otpd.Grant, c otpd.CompleteRequest, r otpd.AuthRequest) error {
	if g.Covers(r.Scopes) {
		return nil
	}
	scopes := slices.Clone(g.Scopes)
	for _, sc := range r.Scopes {
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	var err error
	if g.ClientID == "" {
		_, err = tx.ExecContext(ctx, `INSERT INTO oidc_grants (account_id, client_id, scopes, granted_at, last_used_at)
			VALUES ($1, $2, $3, $4, 0)`, c.AccountID, r.ClientID, listText(scopes), toMS(c.Now))
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE oidc_grants SET scopes = $1 WHERE account_id = $2 AND client_id = $3`,
			listText(scopes), c.AccountID, r.ClientID)
	}
	if err != nil {
		return fmt.Errorf("save grant: %w", err)
	}
	ev := c.Event
	ev.Type, ev.AccountID = otpd.EventAppAuthorized, c.AccountID
	if err := insertEventFor(ctx, tx, ev, otpd.WebhookApp{ClientID: r.ClientID, Scopes: scopes}); err != nil {
		return err
	}
	if g.ClientID != "" || c.Notice == nil {
		return nil
	}
	return queueGrantNotice(ctx, tx, c.AccountID, *c.Notice)
}

// queueGrantNotice queues the notice of an app's first access to the
// account, to the address the account keeps: read here, in the
// transaction, whatever address the notice was made out to, so that it
// never goes anywhere else.
func queueGrantNotice(ctx context.Context, tx *txn, accountID string, m otpd.OutboxMessage) error {
	var email string
	err := tx.QueryRowContext(ctx, `SELECT email FROM accounts WHERE id = $1`, accountID).Scan(&email)
	if err != nil {
		return fmt.Errorf("address of account %s: %w", accountID, notFound(err))
	}
	if m.To, err = parseAddress(email); err != nil {
		return fmt.Errorf("address of account %s: %w", accountID, err)
	}
	return insertMessage(ctx, tx, m)
}

// DenyAuthRequest marks a pending request refused.
func (s *Store) DenyAuthRequest(ctx context.Context, id string, at time.Time) error {
	err := affected(s.exec(ctx, `UPDATE oidc_auth_requests SET denied_at = $1
		WHERE id = $2 AND done_at IS NULL AND denied_at IS NULL AND expires_at > $1`, toMS(at), id))
	if err != nil {
		return s.errorf("deny authorization request %s: %w", id, err)
	}
	return nil
}

// SaveAuthCode gives a completed request without a code its code's hash.
func (s *Store) SaveAuthCode(ctx context.Context, id string, codeHash []byte, expires, now time.Time) error {
	if len(codeHash) == 0 {
		return s.errorf("save code of authorization request %s: empty hash", id)
	}
	err := affected(s.exec(ctx, `UPDATE oidc_auth_requests SET code_hash = $1, code_expires_at = $2
		WHERE id = $3 AND done_at IS NOT NULL AND code_hash IS NULL AND expires_at > $4`,
		codeHash, toMS(expires), id, toMS(now)))
	if err != nil {
		return s.errorf("save code of authorization request %s: %w", id, err)
	}
	return nil
}

// RedeemCode spends the code with one conditional UPDATE, which decides
// the race between any number of redemptions: on PostgreSQL the losers
// wait for the winner's row lock and then match nothing; on SQLite they
// wait for the write lock. A loser's revocation is committed though it
// returns an error: the replay is the evidence of a leak.
func (s *Store) RedeemCode(ctx context.Context, rr otpd.RedeemRequest) (otpd.Issued, error) {
	var (
		issued  otpd.Issued
		outcome error
	)
	err := s.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE oidc_auth_requests SET redeemed_at = $1
			WHERE code_hash = $2 AND client_id = $3 AND redeemed_at IS NULL AND code_expires_at > $1 AND done_at IS NOT NULL`,
			toMS(rr.Now), rr.CodeHash, rr.ClientID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		r, err := scanAuthRequest(tx.QueryRowContext(ctx, `SELECT `+authRequestColumns+` FROM oidc_auth_requests WHERE code_hash = $1`, rr.CodeHash))
		if err != nil {
			return notFound(err)
		}
		if n == 0 {
			outcome = otpd.ErrCodeUsed
			if r.RedeemedAt.IsZero() || r.ClientID != rr.ClientID {
				return nil
			}
			return revokeReused(ctx, tx, `auth_request_id = $2`, rr.Now, rr.Event, r.AccountID, otpd.ReasonCodeReplayed, r.ID)
		}
		g, err := s.lockGrant(ctx, tx, r.AccountID, r.ClientID)
		if err != nil && !errors.Is(err, otpd.ErrNotFound) {
			return err
		}
		if !g.Covers(r.Scopes) {
			return otpd.ErrConsentRequired
		}
		// A disabling revokes the tokens there are; a code given out
		// before it must not get new ones.
		if err := s.liveAccount(ctx, tx, r.AccountID); err != nil {
			return err
		}
		issued, err = issue(ctx, tx, r, rr)
		return err
	})
	if err == nil {
		err = outcome
	}
	if err != nil {
		return otpd.Issued{}, s.errorf("redeem code: %w", err)
	}
	return issued, nil
}

// issue inserts the family a code starts, its tokens, and marks the grant
// used.
func issue(ctx context.Context, tx *txn, r otpd.AuthRequest, rr otpd.RedeemRequest) (otpd.Issued, error) {
	f := otpd.TokenFamily{
		ID: rr.FamilyID, AccountID: r.AccountID, ClientID: r.ClientID, SessionID: r.SessionID, AuthRequestID: r.ID,
		Scopes: r.Scopes, AuthTime: r.AuthTime, AMR: r.AMR, CreatedAt: rr.Now, ExpiresAt: rr.Access.ExpiresAt,
	}
	if rr.Refresh != nil && rr.Refresh.ExpiresAt.After(f.ExpiresAt) {
		f.ExpiresAt = rr.Refresh.ExpiresAt
	}
	if rr.Until.After(f.ExpiresAt) {
		f.ExpiresAt = rr.Until
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO oidc_token_families (id, account_id, client_id, session_id, auth_request_id,
		scopes, auth_time, amr, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		f.ID, f.AccountID, f.ClientID, f.SessionID, f.AuthRequestID, listText(f.Scopes), toMS(f.AuthTime),
		listText(f.AMR), toMS(f.CreatedAt), toMS(f.ExpiresAt))
	if err != nil {
		return otpd.Issued{}, fmt.Errorf("insert token family: %w", err)
	}
	out := otpd.Issued{Family: f}
	if out.Access, err = insertAccess(ctx, tx, f, rr.Access, f.Scopes, rr.Now); err != nil {
		return otpd.Issued{}, err
	}
	if rr.Refresh != nil {
		rt, err := insertRefresh(ctx, tx, f, *rr.Refresh, f.Scopes, rr.Now)
		if err != nil {
			return otpd.Issued{}, err
		}
		out.Refresh = &rt
	}
	return out, touchGrant(ctx, tx, f, rr.Now)
}

// revokeReused revokes the live families where selects (arguments from
// $2) and, when that revoked any, records ev as EventTokenReused for the
// account: once, however many replays race, since the later ones find
// nothing live.
func revokeReused(ctx context.Context, tx *txn, where string, at time.Time, ev otpd.Event, accountID string, reason otpd.Reason, args ...any) error {
	n, err := revokeFamilies(ctx, tx, where, at, args...)
	if err != nil || n == 0 {
		return err
	}
	ev.Type, ev.Reason, ev.AccountID, ev.At = otpd.EventTokenReused, reason, accountID, at
	if ev.ID == "" {
		ev.ID = newID()
	}
	return insertEvent(ctx, tx, ev)
}

// lockGrant reads an account's grant to an app, locking it where the
// dialect has row locks: the first lock of every path that issues or
// revokes tokens.
func (s *Store) lockGrant(ctx context.Context, tx *txn, accountID, clientID string) (otpd.Grant, error) {
	g, err := scanGrant(tx.QueryRowContext(ctx, s.rowLocked(`SELECT `+grantColumns+` FROM oidc_grants
		WHERE account_id = $1 AND client_id = $2`, "FOR UPDATE"), accountID, clientID))
	return g, notFound(err)
}

func scanAuthRequest(row scanner) (otpd.AuthRequest, error) {
	var (
		r                                                     otpd.AuthRequest
		scopes, prompt, acrValues, amr                        string
		maxAge, authTime, done, denied, codeExpires, redeemed sql.NullInt64
		created, expires                                      int64
		account                                               sql.NullString
	)
	if err := row.Scan(&r.ID, &r.ClientID, &r.RedirectURI, &r.State, &r.Nonce, &scopes, &prompt, &maxAge, &r.LoginHint,
		&acrValues, &r.HintSubject, &r.CodeChallenge, &created, &expires, &account, &r.SessionID, &authTime, &amr, &r.ACR,
		&done, &denied, &r.CodeHash, &codeExpires, &redeemed); err != nil {
		return otpd.AuthRequest{}, err
	}
	var errs [4]error
	r.Scopes, errs[0] = parseList(scopes)
	r.Prompt, errs[1] = parseList(prompt)
	r.ACRValues, errs[2] = parseList(acrValues)
	r.AMR, errs[3] = parseList(amr)
	if err := errors.Join(errs[:]...); err != nil {
		return otpd.AuthRequest{}, fmt.Errorf("authorization request %s: %w", r.ID, err)
	}
	if maxAge.Valid {
		d := time.Duration(maxAge.Int64) * time.Millisecond
		r.MaxAge = &d
	}
	r.AccountID = account.String
	r.CreatedAt, r.ExpiresAt = fromMS(created), fromMS(expires)
	r.AuthTime, r.DoneAt, r.DeniedAt = fromNullMS(authTime), fromNullMS(done), fromNullMS(denied)
	r.CodeExpiresAt, r.RedeemedAt = fromNullMS(codeExpires), fromNullMS(redeemed)
	return r, nil
}
