package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"sync"

	"github.com/otpd/otpd"
)

// db is one of the Store's database handles. Where prepare is set its
// queries run as statements prepared once per connection and kept for the
// next call: modernc.org/sqlite compiles a query anew for every call
// otherwise, which took a fifth of otpd's CPU under load. pgx keeps its
// own cache per connection, so PostgreSQL's handles leave prepare unset.
//
// The queries are the package's constants, so the cache holds a few dozen
// statements at most.
type db struct {
	*sql.DB
	prepare bool
	stmts   sync.Map // query → *sql.Stmt
}

// stmt returns query's statement, preparing it on first use; nil when
// queries run unprepared, or when preparing failed, in which case the
// query runs unprepared and meets the same error there.
func (d *db) stmt(ctx context.Context, query string) *sql.Stmt {
	if !d.prepare {
		return nil
	}
	if st, ok := d.stmts.Load(query); ok {
		return st.(*sql.Stmt)
	}
	st, err := d.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if prev, loaded := d.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt)
	}
	return st
}

func (d *db) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := d.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return d.DB.ExecContext(ctx, query, args...)
}

func (d *db) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := d.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return d.DB.QueryContext(ctx, query, args...)
}

func (d *db) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := d.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return d.DB.QueryRowContext(ctx, query, args...)
}

// Close closes the kept statements and the database.
func (d *db) Close() error {
	d.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	return d.DB.Close()
}

// txn is a transaction of the Store's, whose queries use its handle's
// prepared statements. A query not prepared yet runs as it is, and is
// prepared once the transaction has ended: preparing needs a connection,
// and the transaction may hold the handle's only one. The Dialect's locks
// take the *sql.Tx inside.
type txn struct {
	*sql.Tx
	db     *db
	missed []string
	// hooks are the Store's webhook subscriptions, which insertEvent
	// queues deliveries for.
	hooks otpd.WebhookSubscriptions
}

// prepared returns query's statement if it has been prepared, and
// otherwise notes the query for prepareMissed.
func (t *txn) prepared(query string) *sql.Stmt {
	if !t.db.prepare {
		return nil
	}
	if st, ok := t.db.stmts.Load(query); ok {
		return st.(*sql.Stmt)
	}
	if !slices.Contains(t.missed, query) {
		t.missed = append(t.missed, query)
	}
	return nil
}

// prepareMissed prepares the queries the transaction ran unprepared. Call
// it after the transaction has ended and its connection is free.
func (t *txn) prepareMissed(ctx context.Context) {
	for _, q := range t.missed {
		t.db.stmt(ctx, q)
	}
}

func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.prepared(query); st != nil {
		return t.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.prepared(query); st != nil {
		return t.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.prepared(query); st != nil {
		return t.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}
