// Package sqlstore holds what the SQL stores (sqlite, postgres) share: the
// Store that implements otpd.Store on database/sql, every query and every
// transaction's order of locks included; and how values are stored. What
// a verify or a code request decides from what it has read is the
// domain's (otpd.Guard, otpd.Closed, otpd.Refusal...): this package loads
// what those rules read and saves what they return, inside its
// transactions. Each store keeps only what is its own: its Open
// and the transactions it sets up there, its migration files (run by
// internal/sqlschema), and its Dialect (a few words of SQL, and the locks
// PostgreSQL takes).
package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/otpd/otpd"
)

// queryer is what a lookup needs, so it runs alike on the pool and inside a
// transaction.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// scanAll reads every row a query returned with scan, and closes them;
// it takes the query's results as they are, so err is the query's.
func scanAll[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// toMS and fromMS convert between time.Time and the stored unix
// milliseconds. Stored times lose sub-millisecond precision.
func toMS(t time.Time) int64 { return t.UnixMilli() }

// fromMS is the inverse of toMS, in UTC.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// nullMS keeps a zero time as NULL: "not yet" (ended_at, finished_at).
func nullMS(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: toMS(t), Valid: true}
}

// fromNullMS is the inverse of nullMS.
func fromNullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}

// zeroMS keeps a zero time as 0, for columns where "never" needs no NULL.
func zeroMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return toMS(t)
}

// fromZeroMS is the inverse of zeroMS.
func fromZeroMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return fromMS(v)
}

// nullString keeps an empty reference (an event or challenge without an
// account) as NULL, which the foreign key requires.
func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

// parseAddress rebuilds a stored address; "" is the zero Address (an event
// recorded without one).
func parseAddress(s string) (otpd.Address, error) {
	if s == "" {
		return otpd.Address{}, nil
	}
	a, err := otpd.ParseAddress(s)
	if err != nil {
		return otpd.Address{}, fmt.Errorf("stored address %q: %w", s, err)
	}
	return a, nil
}

// newID names the events a store records itself: 128 random bits
// (rand.Text), which cannot collide with the caller's IDs in practice.
func newID() string { return rand.Text() }

// notFound wraps otpd.ErrNotFound for sql.ErrNoRows, and leaves any other
// error as it is.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return otpd.ErrNotFound
	}
	return err
}

// affected takes the results of an UPDATE or DELETE that must change a
// row: its error as it is, or otpd.ErrNotFound where it matched none.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return otpd.ErrNotFound
	}
	return nil
}

// placeText stores a place as JSON; an unknown place is "".
func placeText(p otpd.Place) string {
	if p == (otpd.Place{}) {
		return ""
	}
	b, err := json.Marshal(p)
	if err != nil {
		panic(fmt.Sprintf("sqlstore: a Place always encodes: %v", err))
	}
	return string(b)
}

// parsePlace is the inverse of placeText.
func parsePlace(s string) (otpd.Place, error) {
	var p otpd.Place
	if s == "" {
		return p, nil
	}
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return otpd.Place{}, fmt.Errorf("stored place %q: %w", s, err)
	}
	return p, nil
}

// countriesText stores a set of country codes, comma-separated.
func countriesText(cs []string) string { return strings.Join(cs, ",") }

// parseCountries is the inverse of countriesText.
func parseCountries(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// addCountry returns cs with c added, once; an unknown country adds
// nothing.
func addCountry(cs []string, c string) []string {
	if c == "" || slices.Contains(cs, c) {
		return cs
	}
	return append(cs, c)
}

// placesText stores a campaign's places as a JSON array.
func placesText(ps []string) string {
	if ps == nil {
		ps = []string{}
	}
	b, err := json.Marshal(ps)
	if err != nil {
		panic(fmt.Sprintf("sqlstore: a list of strings always encodes: %v", err))
	}
	return string(b)
}

// parsePlaces is the inverse of placesText; what does not parse is no
// places, as a campaign's places are a summary for people.
func parsePlaces(s string) []string {
	var ps []string
	if json.Unmarshal([]byte(s), &ps) != nil {
		return nil
	}
	return ps
}

// listText stores a list of strings (scopes, URIs, amr values) as a JSON
// array: an element may hold any character, a separator could not be
// chosen safely for URIs.
func listText(l []string) string {
	if l == nil {
		l = []string{}
	}
	b, err := json.Marshal(l)
	if err != nil {
		panic(fmt.Sprintf("sqlstore: a list of strings always encodes: %v", err))
	}
	return string(b)
}

// parseList is the inverse of listText. Unlike a campaign's places, a
// list decides what an app may do, so one that does not parse is an
// error, never an empty list.
func parseList(s string) ([]string, error) {
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, fmt.Errorf("stored list %q: %w", s, err)
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}
