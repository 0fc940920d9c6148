package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/config"
	"github.com/otpd/otpd/internal/sqlschema"
	"github.com/otpd/otpd/web"
)

// healthStore is what the readiness checks read from the SQL stores
// (sqlite and postgres: health.go).
type healthStore interface {
	Ping(ctx context.Context) error
	OldestQueued(ctx context.Context) (time.Time, bool, error)
	MigrationStatus(ctx context.Context) (sqlschema.Status, error)
}

// pinger is a Redis client, as far as its check needs.
type pinger func(ctx context.Context) error

// publicError is a check's failure in words of our own, shown by /readyz.
type publicError string

func (e publicError) Error() string { return string(e) }

// readinessChecks are what GET /readyz asks: the store answers, Redis
// answers when the limits are shared through it, mail is leaving, and the
// schema is this build's. A failure's cause (a driver's error, which may
// name hosts and users) is logged; /readyz shows only what failed.
func readinessChecks(cfg config.Config, log *slog.Logger, store otpd.Store, redis pinger, clock otpd.Clock) []web.Check {
	hs, ok := store.(healthStore)
	if !ok {
		return nil
	}
	check := func(name, failed string, run func(ctx context.Context) error) web.Check {
		return web.Check{Name: name, Run: func(ctx context.Context) error {
			err := run(ctx)
			var pe publicError
			switch {
			case err == nil, errors.As(err, &pe):
				return err
			case ctx.Err() != nil:
				return ctx.Err() // web says the check ran out of time
			}
			log.WarnContext(ctx, "readiness check failed", "check", name, "err", err)
			return publicError(failed)
		}}
	}
	maxAge := time.Duration(cfg.Health.MaxQueueAge)
	checks := []web.Check{
		check("store", "the database does not answer", hs.Ping),
	}
	if redis != nil {
		checks = append(checks, check("redis", "Redis does not answer", redis))
	}
	checks = append(checks,
		check("outbox", "the outbox cannot be read", func(ctx context.Context) error {
			at, queued, err := hs.OldestQueued(ctx)
			if err != nil || !queued {
				return err
			}
			if age := clock.Now().Sub(at); age > maxAge {
				return publicError(fmt.Sprintf("the oldest queued message waited %s, over health.max_queue_age %s: mail is not leaving",
					age.Round(time.Second), config.Duration(maxAge)))
			}
			return nil
		}),
		check("migrations", "the schema version cannot be read", func(ctx context.Context) error {
			st, err := hs.MigrationStatus(ctx)
			if err != nil {
				return err
			}
			want := 0
			if len(st.Known) > 0 {
				want = st.Known[len(st.Known)-1].Version
			}
			if got := st.Version(); got != want {
				return publicError(fmt.Sprintf("the database's schema is version %d, this build's %d", got, want))
			}
			return nil
		}),
	)
	return checks
}
