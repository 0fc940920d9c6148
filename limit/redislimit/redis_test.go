package redislimit_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/limit/limittest"
	"github.com/otpd/otpd/limit/redislimit"
)

// open connects to the Redis named by OTPD_TEST_REDIS. Without one the test
// is skipped, unless OTPD_REQUIRE_SERVICES=1 says a skip would hide a gap.
func open(t testing.TB) *redis.Client {
	t.Helper()
	url := os.Getenv("OTPD_TEST_REDIS")
	if url == "" {
		if os.Getenv("OTPD_REQUIRE_SERVICES") == "1" {
			t.Fatal("OTPD_TEST_REDIS is not set, and OTPD_REQUIRE_SERVICES=1")
		}
		t.Skip("set OTPD_TEST_REDIS (e.g. redis://127.0.0.1:6379/0) to test against Redis")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	client, err := redislimit.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// prefix returns a key prefix no other test shares, and deletes the test's
// keys when it ends, so tests run in parallel and against a shared server.
func prefix(t testing.TB, client *redis.Client) string {
	t.Helper()
	p := "otpdtest:" + rand.Text() + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := client.Scan(ctx, 0, p+"*", 1000).Iterator()
		for iter.Next(ctx) {
			if err := client.Del(ctx, iter.Val()).Err(); err != nil {
				t.Errorf("cleanup: %v", err)
				return
			}
		}
		if err := iter.Err(); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return p
}

func TestLimiter(t *testing.T) {
	client := open(t)
	limittest.Run(t, func(t *testing.T) otpd.Limiter {
		return redislimit.New(client, prefix(t, client))
	})
}

// TestTwoNodes runs two limiters on two connections, as two otpd nodes
// would: they spend one allowance together.
func TestTwoNodes(t *testing.T) {
	a, b := open(t), open(t)
	p := prefix(t, a)
	nodeA, nodeB := redislimit.New(a, p), redislimit.New(b, p)
	ctx := context.Background()
	r := otpd.Rate{Count: 4, Per: time.Minute}
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

	for i, l := range []*redislimit.Limiter{nodeA, nodeB, nodeA, nodeB} {
		d, err := l.Allow(ctx, "k", r, now)
		if err != nil {
			t.Fatal(err)
		}
		if !d.Allowed || d.Remaining != 3-i {
			t.Fatalf("call %d: got %+v, want allowed with %d remaining", i+1, d, 3-i)
		}
	}
	for name, l := range map[string]*redislimit.Limiter{"A": nodeA, "B": nodeB} {
		d, err := l.Allow(ctx, "k", r, now)
		if err != nil {
			t.Fatal(err)
		}
		if d.Allowed || d.RetryAfter != 15*time.Second {
			t.Errorf("node %s after the burst: got %+v, want refused for 15s", name, d)
		}
	}
	// A node whose clock runs 5s behind sees the same state, shifted by 5s.
	d, err := nodeB.Allow(ctx, "k", r, now.Add(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if d.Allowed || d.RetryAfter != 5*time.Second {
		t.Errorf("skewed node: got %+v, want refused for 5s", d)
	}
}

// TestExpiry checks that a key lives in Redis exactly until its TAT passes,
// so that idle keys do not accumulate.
func TestExpiry(t *testing.T) {
	client := open(t)
	p := prefix(t, client)
	l := redislimit.New(client, p)
	ctx := context.Background()
	r := otpd.Rate{Count: 10, Per: 10 * time.Second} // one per second
	now := time.Now()
	for range 3 {
		if _, err := l.Allow(ctx, "k", r, now); err != nil {
			t.Fatal(err)
		}
	}
	ttl, err := client.PTTL(ctx, p+"k").Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 2*time.Second || ttl > 3*time.Second {
		t.Errorf("TTL after 3 events of 1s: %v, want just under 3s", ttl)
	}
	// A refusal does not extend the key.
	for range 20 {
		if _, err := l.Allow(ctx, "k", otpd.Rate{Count: 1, Per: time.Second}, now); err != nil {
			t.Fatal(err)
		}
	}
	if ttl2, _ := client.PTTL(ctx, p+"k").Result(); ttl2 > ttl {
		t.Errorf("TTL grew on refusals: %v, then %v", ttl, ttl2)
	}
}

// TestScriptFlushed checks that Allow reloads its script when the server has
// forgotten it, as after a restart.
func TestScriptFlushed(t *testing.T) {
	client := open(t)
	l := redislimit.New(client, prefix(t, client))
	ctx := context.Background()
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	d, err := l.Allow(ctx, "k", otpd.Rate{Count: 1, Per: time.Second}, time.Now())
	if err != nil || !d.Allowed {
		t.Fatalf("after SCRIPT FLUSH: %+v, %v", d, err)
	}
}

func TestOpenBadURL(t *testing.T) {
	for _, url := range []string{"", "http://127.0.0.1:6379", "redis://127.0.0.1:1/0"} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		client, err := redislimit.Open(ctx, url)
		cancel()
		if err == nil {
			client.Close()
			t.Errorf("Open(%q) succeeded, want an error", url)
		}
	}
}

func BenchmarkAllow(b *testing.B) {
	client := open(b)
	l := redislimit.New(client, prefix(b, client))
	ctx := context.Background()
	r := otpd.Rate{Count: 1000, Per: time.Second}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

	b.Run("Serial", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := l.Allow(ctx, "key", r, now.Add(time.Duration(i)*time.Millisecond)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			key := fmt.Sprintf("key%p", pb)
			for pb.Next() {
				if _, err := l.Allow(ctx, key, r, now); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
