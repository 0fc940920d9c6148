package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

// Cutoffs are the instants a prune deletes before, as stored; an invalid
// (NULL) one leaves its kind alone.
type Cutoffs struct {
	Events     sql.NullInt64
	Challenges sql.NullInt64
	Sessions   sql.NullInt64
	Guards     sql.NullInt64
}

// PruneCutoffs turns a request's ages into cutoffs. A negative age is
// refused: it would reach into the future, where live rows are.
func PruneCutoffs(req otpd.PruneRequest) (Cutoffs, error) {
	for name, age := range map[string]time.Duration{
		"events": req.Events, "challenges": req.Challenges, "sessions": req.Sessions, "guess window": req.GuessWindow,
	} {
		if age < 0 {
			return Cutoffs{}, fmt.Errorf("%s age must not be negative, got %s", name, age)
		}
	}
	// before is Now less the ages, or NULL when one of them is zero.
	before := func(ages ...time.Duration) sql.NullInt64 {
		t := req.Now
		for _, a := range ages {
			if a == 0 {
				return sql.NullInt64{}
			}
			t = t.Add(-a)
		}
		return sql.NullInt64{Int64: MS(t), Valid: true}
	}
	return Cutoffs{
		Events:     before(req.Events),
		Challenges: before(req.Challenges),
		Sessions:   before(req.Sessions),
		Guards:     before(req.GuessWindow, req.Challenges),
	}, nil
}

// PruneStep is one DELETE of a prune: it runs when its cutoff is set, and
// its count goes to Deleted.
type PruneStep struct {
	Cutoff  sql.NullInt64
	Query   string
	Args    []any
	Deleted *int
}

// RunPrune runs the steps in order in tx.
func RunPrune(ctx context.Context, tx *sql.Tx, steps []PruneStep) error {
	for _, st := range steps {
		if !st.Cutoff.Valid {
			continue
		}
		res, err := tx.ExecContext(ctx, st.Query, st.Args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		*st.Deleted = int(n)
	}
	return nil
}
