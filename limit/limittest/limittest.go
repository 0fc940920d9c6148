// Package limittest is the conformance suite every otpd.Limiter passes, so
// that the in-memory and the Redis limiter cannot drift apart.
package limittest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// base is the start of every test's time: a round instant, so that the exact
// durations the tests expect survive any implementation's time resolution.
var base = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// Run runs the suite. newLimiter returns a limiter with no keys that the
// test owns; it registers its own cleanup with t.Cleanup.
func Run(t *testing.T, newLimiter func(t *testing.T) otpd.Limiter) {
	tests := []struct {
		name string
		fn   func(t *testing.T, l otpd.Limiter)
	}{
		{"BurstThenRefusal", testBurstThenRefusal},
		{"Refill", testRefill},
		{"EvenSpacing", testEvenSpacing},
		{"KeysIndependent", testKeysIndependent},
		{"RateChange", testRateChange},
		{"BurstZeroMeansCount", testBurstZeroMeansCount},
		{"RefusalNotCounted", testRefusalNotCounted},
		{"Concurrent", testConcurrent},
		{"OddKeys", testOddKeys},
		{"InvalidRate", testInvalidRate},
		{"CanceledContext", testCanceledContext},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newLimiter(t)) })
	}
}

// allow calls l.Allow and fails the test on an error.
func allow(t *testing.T, l otpd.Limiter, key string, r otpd.Rate, now time.Time) otpd.Decision {
	t.Helper()
	d, err := l.Allow(context.Background(), key, r, now)
	if err != nil {
		t.Fatalf("Allow(%.20q, %+v, %v): %v", key, r, now, err)
	}
	return d
}

// want fails the test unless got is the wanted decision.
func want(t *testing.T, step string, got, want otpd.Decision) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %+v, want %+v", step, got, want)
	}
}

func allowed(remaining int) otpd.Decision {
	return otpd.Decision{Allowed: true, Remaining: remaining}
}

func refused(retry time.Duration) otpd.Decision {
	return otpd.Decision{RetryAfter: retry}
}

// testBurstThenRefusal spends a burst at one instant, with Remaining counting
// down, and checks the refusal's exact RetryAfter, also later in the wait.
func testBurstThenRefusal(t *testing.T, l otpd.Limiter) {
	r := otpd.Rate{Count: 6, Per: time.Minute, Burst: 3} // one per 10s
	for i := range 3 {
		want(t, fmt.Sprintf("call %d", i+1), allow(t, l, "k", r, base), allowed(2-i))
	}
	want(t, "call 4", allow(t, l, "k", r, base), refused(10*time.Second))
	want(t, "after 4s", allow(t, l, "k", r, base.Add(4*time.Second)), refused(6*time.Second))
	want(t, "after 9.999999s", allow(t, l, "k", r, base.Add(10*time.Second-time.Microsecond)), refused(time.Microsecond))
	want(t, "after 10s", allow(t, l, "k", r, base.Add(10*time.Second)), allowed(0))
}

// testRefill lets time pass and checks the allowance comes back at the rate,
// never beyond the burst.
func testRefill(t *testing.T, l otpd.Limiter) {
	r := otpd.Rate{Count: 10, Per: 10 * time.Second, Burst: 5} // one per second
	for range 5 {
		allow(t, l, "k", r, base)
	}
	want(t, "spent", allow(t, l, "k", r, base), refused(time.Second))
	now := base.Add(3 * time.Second)
	want(t, "3s later", allow(t, l, "k", r, now), allowed(2))
	want(t, "3s later, 2nd", allow(t, l, "k", r, now), allowed(1))
	want(t, "3s later, 3rd", allow(t, l, "k", r, now), allowed(0))
	want(t, "3s later, 4th", allow(t, l, "k", r, now), refused(time.Second))
	// Long idle: back to a full burst, not more.
	now = base.Add(time.Hour)
	for i := range 5 {
		want(t, fmt.Sprintf("an hour later, call %d", i+1), allow(t, l, "k", r, now), allowed(4-i))
	}
	want(t, "an hour later, call 6", allow(t, l, "k", r, now), refused(time.Second))
}

// testEvenSpacing uses Burst 1: one event per interval, no saving up.
func testEvenSpacing(t *testing.T, l otpd.Limiter) {
	r := otpd.Rate{Count: 2, Per: time.Second, Burst: 1}
	want(t, "first", allow(t, l, "k", r, base), allowed(0))
	want(t, "same instant", allow(t, l, "k", r, base), refused(500*time.Millisecond))
	want(t, "100ms", allow(t, l, "k", r, base.Add(100*time.Millisecond)), refused(400*time.Millisecond))
	for i := 1; i <= 4; i++ {
		now := base.Add(time.Duration(i) * 500 * time.Millisecond)
		want(t, fmt.Sprintf("tick %d", i), allow(t, l, "k", r, now), allowed(0))
	}
	want(t, "idle", allow(t, l, "k", r, base.Add(time.Minute)), allowed(0))
}

// testKeysIndependent spends one key and checks others are untouched,
// including keys that share a prefix with it.
func testKeysIndependent(t *testing.T, l otpd.Limiter) {
	r := otpd.Rate{Count: 2, Per: time.Hour}
	allow(t, l, "a", r, base)
	allow(t, l, "a", r, base)
	want(t, "a spent", allow(t, l, "a", r, base), refused(30*time.Minute))
	for _, k := range []string{"b", "aa", "A", "a ", "b:a"} {
		want(t, "key "+k, allow(t, l, k, r, base), allowed(1))
	}
	want(t, "a still spent", allow(t, l, "a", r, base), refused(30*time.Minute))
}

// testRateChange checks that the state is one point in time that any rate
// reads: a stricter rate refuses at once, a looser one allows at once.
func testRateChange(t *testing.T, l otpd.Limiter) {
	loose := otpd.Rate{Count: 10, Per: 10 * time.Second} // burst 10, one per second
	for range 3 {
		allow(t, l, "k", loose, base) // TAT now base+3s
	}
	strict := otpd.Rate{Count: 1, Per: time.Second, Burst: 2} // window 2s
	want(t, "stricter", allow(t, l, "k", strict, base), refused(2*time.Second))
	want(t, "looser again", allow(t, l, "k", loose, base), allowed(6))
	slower := otpd.Rate{Count: 1, Per: 10 * time.Second, Burst: 2} // window 20s, TAT base+4s
	want(t, "slower interval", allow(t, l, "k", slower, base), allowed(0))
	want(t, "slower interval, spent", allow(t, l, "k", slower, base), refused(4*time.Second))
}

// testBurstZeroMeansCount checks that Burst 0 allows Count at once.
func testBurstZeroMeansCount(t *testing.T, l otpd.Limiter) {
	r := otpd.Rate{Count: 4, Per: 2 * time.Second}
	for i := range 4 {
		want(t, fmt.Sprintf("call %d", i+1), allow(t, l, "k", r, base), allowed(3-i))
	}
	want(t, "call 5", allow(t, l, "k", r, base), refused(500*time.Millisecond))
}

// testRefusalNotCounted hammers a spent key and checks that the refusals do
// not delay the next allowed event.
func testRefusalNotCounted(t *testing.T, l otpd.Limiter) {
	r := otpd.Rate{Count: 1, Per: time.Minute}
	allow(t, l, "k", r, base)
	for i := range 50 {
		now := base.Add(time.Duration(i) * time.Second)
		if d := allow(t, l, "k", r, now); d.Allowed {
			t.Fatalf("retry %d at %v allowed", i, now)
		}
	}
	want(t, "after the minute", allow(t, l, "k", r, base.Add(time.Minute)), allowed(0))
}

// testConcurrent runs many goroutines on one key at one instant: exactly the
// burst is allowed, each Remaining is handed out once, and every refusal
// names the same wait.
func testConcurrent(t *testing.T, l otpd.Limiter) {
	const goroutines, calls, burst = 64, 10, 20
	r := otpd.Rate{Count: burst, Per: time.Hour, Burst: burst} // one per 3m
	var (
		wg        sync.WaitGroup
		allowedN  atomic.Int64
		mu        sync.Mutex
		remaining = map[int]int{}
		errs      = make(chan error, goroutines)
	)
	for range goroutines {
		wg.Go(func() {
			for range calls {
				d, err := l.Allow(context.Background(), "shared", r, base)
				if err != nil {
					errs <- err
					return
				}
				if !d.Allowed {
					if d.RetryAfter != 3*time.Minute {
						errs <- fmt.Errorf("refusal with RetryAfter %v, want 3m", d.RetryAfter)
						return
					}
					continue
				}
				allowedN.Add(1)
				mu.Lock()
				remaining[d.Remaining]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := allowedN.Load(); n != burst {
		t.Fatalf("%d of %d calls allowed, want exactly %d", n, goroutines*calls, burst)
	}
	for i := range burst {
		if remaining[i] != 1 {
			t.Errorf("Remaining %d seen %d times, want once", i, remaining[i])
		}
	}
}

// testOddKeys uses the empty key, a 64 KiB key, and bytes that are special
// to protocols or storage.
func testOddKeys(t *testing.T, l otpd.Limiter) {
	r := otpd.Rate{Count: 1, Per: time.Minute}
	keys := []string{
		"",
		strings.Repeat("x", 64<<10),
		strings.Repeat("x", 64<<10) + "y",
		"\x00",
		"\r\n*1\r\n$4\r\nPING\r\n",
		"user@example.com",
		"ünïcödé 鍵",
		"*",
		"\xff\xfe",
	}
	for i, k := range keys {
		if d := allow(t, l, k, r, base); !d.Allowed {
			t.Errorf("key %d (%.20q) refused on first use", i, k)
		}
	}
	for i, k := range keys {
		if d := allow(t, l, k, r, base); d.Allowed {
			t.Errorf("key %d (%.20q) allowed twice", i, k)
		}
	}
}

// testInvalidRate checks that rates that cannot be enforced are errors, not
// silent refusals or allowances.
func testInvalidRate(t *testing.T, l otpd.Limiter) {
	for _, r := range []otpd.Rate{
		{},
		{Count: 0, Per: time.Second},
		{Count: -1, Per: time.Second},
		{Count: 1, Per: 0},
		{Count: 1, Per: -time.Second},
		{Count: 1, Per: time.Second, Burst: -1},
		{Count: 2_000_000, Per: time.Second},
		{Count: 1, Per: 24 * time.Hour, Burst: 1 << 20},
	} {
		_, err := l.Allow(context.Background(), "k", r, base)
		if !errors.Is(err, otpd.ErrInvalidRate) {
			t.Errorf("rate %+v: got error %v, want ErrInvalidRate", r, err)
		}
	}
}

// testCanceledContext checks that a canceled context is an error.
func testCanceledContext(t *testing.T, l otpd.Limiter) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := l.Allow(ctx, "k", otpd.Rate{Count: 1, Per: time.Second}, base)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v, want context.Canceled", err)
	}
}
