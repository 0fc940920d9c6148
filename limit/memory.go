package limit

import (
	"context"
	"fmt"
	"hash/maphash"
	"sync"
	"time"

	"github.com/otpd/otpd"
)

// DefaultMaxKeys is the key bound of NewMemory: at some 100 bytes a key it
// keeps the limiter's memory near 100 MB however many keys an attacker makes.
const DefaultMaxKeys = 1 << 20

// shardCount spreads keys over independent locks so that concurrent Allow
// calls for different keys rarely wait for each other.
const shardCount = 64

// minSweep is the fewest calls between two sweeps of a shard, so that a nearly
// empty shard is not swept on every call.
const minSweep = 64

// evictSample is how many entries a full shard looks at to choose one to drop.
const evictSample = 8

// Memory is a Limiter for one process. Its zero value is not usable; call
// NewMemory or NewMemorySize.
//
// It is safe for concurrent use; each Allow holds the lock of one shard for a
// map lookup and a store. Keys whose TAT has passed carry no information (a
// fresh key behaves the same) and are swept away as calls come in: a shard is
// swept once it has seen as many calls as it held keys at the last sweep, so
// the cost per call stays constant and expired keys at most double the map.
type Memory struct {
	seed   maphash.Seed
	perMax int // keys allowed in one shard
	shards [shardCount]shard
}

type shard struct {
	mu        sync.Mutex
	tats      map[string]int64 // key -> TAT in Unix nanoseconds
	calls     int              // Allow calls since the last sweep
	nextSweep int              // calls at which to sweep again
}

// NewMemory returns an empty in-memory limiter holding at most DefaultMaxKeys
// keys.
func NewMemory() *Memory { return NewMemorySize(DefaultMaxKeys) }

// NewMemorySize returns an empty in-memory limiter holding at most about
// maxKeys live keys (rounded up to a multiple of the shard count).
//
// When a shard is full even after dropping expired keys, it forgets the key
// closest to expiry among a few it samples. That key may then spend again a
// little early: forgetting the least-spent state weakens a limit the least,
// whereas refusing new keys would let one client lock out everyone. Size the
// bound well above the number of keys live within the longest window.
func NewMemorySize(maxKeys int) *Memory {
	m := &Memory{seed: maphash.MakeSeed(), perMax: max(1, (maxKeys+shardCount-1)/shardCount)}
	for i := range m.shards {
		m.shards[i].tats = make(map[string]int64)
		m.shards[i].nextSweep = minSweep
	}
	return m
}

// Allow decides on one event for key at now, and counts it if allowed.
func (m *Memory) Allow(ctx context.Context, key string, r otpd.Rate, now time.Time) (otpd.Decision, error) {
	if err := ctx.Err(); err != nil {
		return otpd.Decision{}, fmt.Errorf("limit %q: %w", key, err)
	}
	if err := r.Validate(); err != nil {
		return otpd.Decision{}, fmt.Errorf("limit %q: %w", key, err)
	}
	t := now.UnixNano()
	s := &m.shards[maphash.String(m.seed, key)%shardCount]
	s.mu.Lock()
	defer s.mu.Unlock()

	s.calls++
	if s.calls >= s.nextSweep {
		s.sweep(t)
	}
	tat, known := s.tats[key]
	allowed, newTAT, retry, remaining := decide(tat, t, int64(r.Interval()), int64(r.Window()))
	if !allowed {
		return otpd.Decision{RetryAfter: time.Duration(retry)}, nil
	}
	if !known && len(s.tats) >= m.perMax {
		s.sweep(t)
		if len(s.tats) >= m.perMax {
			s.evict()
		}
	}
	s.tats[key] = newTAT
	return otpd.Decision{Allowed: true, Remaining: int(remaining)}, nil
}

// sweep drops the keys whose TAT is not after t: they are as good as new.
// Callers hold s.mu.
func (s *shard) sweep(t int64) {
	for k, tat := range s.tats {
		if tat <= t {
			delete(s.tats, k)
		}
	}
	s.calls = 0
	s.nextSweep = max(minSweep, len(s.tats))
}

// evict drops the key with the earliest TAT among a few taken in map order,
// which Go randomises. Callers hold s.mu.
func (s *shard) evict() {
	var victim string
	var earliest int64
	n := 0
	for k, tat := range s.tats {
		if n == 0 || tat < earliest {
			victim, earliest = k, tat
		}
		if n++; n == evictSample {
			break
		}
	}
	delete(s.tats, victim)
}

// Len returns how many keys the limiter holds, expired ones not yet swept
// included. It is for tests and metrics.
func (m *Memory) Len() int {
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		n += len(s.tats)
		s.mu.Unlock()
	}
	return n
}

var _ otpd.Limiter = (*Memory)(nil)
