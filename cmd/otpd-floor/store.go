package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// dsnOptions are the sqlite store's (sqlite/store.go): WAL, NORMAL sync,
// a busy timeout, and BEGIN IMMEDIATE for every transaction. Like that
// store, the floor writes through one connection with prepared
// statements, so that the two differ in their work, not in their plumbing.
const dsnOptions = "_pragma=journal_mode(WAL)" +
	"&_pragma=busy_timeout(5000)" +
	"&_pragma=synchronous(NORMAL)" +
	"&_pragma=foreign_keys(1)" +
	"&_txlock=immediate"

// schema is the floor's own: a challenge, and a session.
const schema = `
CREATE TABLE IF NOT EXISTS challenges (
	id         TEXT PRIMARY KEY,
	email      TEXT NOT NULL,
	code_mac   BLOB NOT NULL,
	expires_at INTEGER NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	used       INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessions (
	token_hash BLOB PRIMARY KEY,
	email      TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);`

const (
	codeLifetime   = 10 * time.Minute
	maxAttempts    = 5
	sessionFor     = 720 * time.Hour
	codeDigits     = 9
	codeUpperBound = 1_000_000_000 // 10^codeDigits
)

const (
	insertChallenge = `INSERT INTO challenges (id, email, code_mac, expires_at) VALUES (?, ?, ?, ?)`
	consume         = `UPDATE challenges SET attempts = attempts + 1, used = (code_mac = ?)
		WHERE id = ? AND used = 0 AND attempts < ? AND expires_at > ? RETURNING used, email`
	insertSession = `INSERT INTO sessions (token_hash, email, created_at, expires_at) VALUES (?, ?, ?, ?)`
)

// store is the floor's database and its HMAC key. Safe for concurrent use.
type store struct {
	db     *sql.DB
	stmts  map[string]*sql.Stmt
	macKey []byte
}

func openStore(ctx context.Context, dir string) (*store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "floor.db")+"?"+dsnOptions)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return nil, errors.Join(fmt.Errorf("schema: %w", err), db.Close())
	}
	stmts := make(map[string]*sql.Stmt)
	for _, q := range []string{insertChallenge, consume, insertSession} {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("prepare: %w", err), db.Close())
		}
		stmts[q] = st
	}
	// A fresh key per process: codes outlive no restart, which a floor
	// does not need.
	key := make([]byte, 32)
	rand.Read(key)
	return &store{db: db, stmts: stmts, macKey: key}, nil
}

func (s *store) mac(id, code string) []byte {
	m := hmac.New(sha256.New, s.macKey)
	m.Write([]byte(id))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// request stores a challenge for code in one write transaction.
func (s *store) request(ctx context.Context, id, email, code string, now time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.StmtContext(ctx, s.stmts[insertChallenge]).ExecContext(ctx, id, email, s.mac(id, code), now.Add(codeLifetime).UnixMilli()); err != nil {
		return err
	}
	return tx.Commit()
}

// errWrongCode covers a wrong, used, expired or unknown code alike.
var errWrongCode = errors.New("wrong or spent code")

// verify counts an attempt and, when the code is right, consumes it and
// stores a session with tokenHash, in one write transaction: one
// conditional UPDATE decides, so no two attempts can both win.
func (s *store) verify(ctx context.Context, id, code string, tokenHash []byte, now time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var used bool
	var email string
	err = tx.StmtContext(ctx, s.stmts[consume]).QueryRowContext(ctx, s.mac(id, code), id, maxAttempts, now.UnixMilli()).Scan(&used, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return errWrongCode
	}
	if err != nil {
		return err
	}
	if used {
		_, err = tx.StmtContext(ctx, s.stmts[insertSession]).ExecContext(ctx, tokenHash, email, now.UnixMilli(), now.Add(sessionFor).UnixMilli())
	}
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if !used {
		return errWrongCode
	}
	return nil
}
