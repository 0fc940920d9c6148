// Package redislimit is an otpd.Limiter whose state lives in Redis, so that
// every otpd node counts against the same limits.
//
// Each Allow is one Lua script run: Redis executes scripts one at a time, so
// the read of the key's TAT, the decision and the write cannot interleave
// with another node's, and no lock or retry loop is needed.
//
// Time comes from the caller, in whole microseconds, never from the Redis
// server: tests control it, and nodes need no clock agreement for the state
// to stay sound. Each node should pass its own clock's time; if one node's
// clock runs ahead by d, it sees every window end d early, which shifts the
// limits it enforces by d and no more. Keep node clocks in sync (NTP) and
// that shift stays far below any window otpd uses.
package redislimit

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/otpd/otpd"
)

// gcraSource is the one script; see gcra.lua for its contract.
//
//go:embed gcra.lua
var gcraSource string

// gcra is loaded once per process. Script.Run sends EVALSHA and falls back to
// EVAL when the server does not know the script yet (after a restart or a
// SCRIPT FLUSH), which also loads it for the next call.
var gcra = redis.NewScript(gcraSource)

// Limiter is an otpd.Limiter backed by Redis. It is safe for concurrent use,
// and one Allow is atomic across every process that shares the Redis and the
// prefix.
type Limiter struct {
	client *redis.Client
	prefix string
}

// New returns a limiter that keeps its keys in client under prefix (say
// "otpd:limit:"), so that they neither collide with other data nor need a
// database of their own. Every node must use the same prefix.
func New(client *redis.Client, prefix string) *Limiter {
	return &Limiter{client: client, prefix: prefix}
}

// Allow decides on one event for key at now, and counts it if allowed.
// The key expires in Redis when its TAT passes, when it carries no
// information any more.
func (l *Limiter) Allow(ctx context.Context, key string, r otpd.Rate, now time.Time) (otpd.Decision, error) {
	if err := r.Validate(); err != nil {
		return otpd.Decision{}, fmt.Errorf("redis limit %q: %w", key, err)
	}
	res, err := gcra.Run(ctx, l.client, []string{l.prefix + key},
		now.UnixMicro(), r.Interval().Microseconds(), r.Window().Microseconds()).Int64Slice()
	if err != nil {
		return otpd.Decision{}, fmt.Errorf("redis limit %.100q: %w", key, err)
	}
	if len(res) != 3 {
		return otpd.Decision{}, fmt.Errorf("redis limit %.100q: script returned %d values, want 3", key, len(res))
	}
	return otpd.Decision{
		Allowed:    res[0] == 1,
		RetryAfter: time.Duration(res[1]) * time.Microsecond,
		Remaining:  int(res[2]),
	}, nil
}

// Open connects to the Redis named by url (redis://[user:password@]host:port/db
// or rediss:// for TLS) and checks it answers.
//
// It turns maintenance notifications off: go-redis 9.15 and later otherwise
// send CLIENT MAINT_NOTIFICATIONS on every new connection, which servers
// before Redis 8 reject with an error go-redis logs each time. otpd talks to
// one server, not a managed cluster that migrates slots, so it loses nothing.
// It also skips CLIENT SETINFO, which servers before 7.2 do not know.
func Open(ctx context.Context, url string) (*redis.Client, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	opt.DisableIdentity = true
	client := redis.NewClient(opt)
	if err := client.Ping(ctx).Err(); err != nil {
		return nil, errors.Join(fmt.Errorf("redis %s: ping: %w", opt.Addr, err), client.Close())
	}
	return client, nil
}

var _ otpd.Limiter = (*Limiter)(nil)
