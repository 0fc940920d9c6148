package limit_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/limit"
	"github.com/otpd/otpd/limit/limittest"
)

func TestMemory(t *testing.T) {
	limittest.Run(t, func(t *testing.T) otpd.Limiter { return limit.NewMemory() })
}

// TestMemorySweep checks that expired keys do not pile up: a stream of
// one-off keys keeps the map near the number of keys live at once.
func TestMemorySweep(t *testing.T) {
	m := limit.NewMemory()
	r := otpd.Rate{Count: 1, Per: time.Second}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range 200_000 {
		// Ten new keys a second, each live for one second: ten live at once.
		now = now.Add(100 * time.Millisecond)
		if _, err := m.Allow(context.Background(), strconv.Itoa(i), r, now); err != nil {
			t.Fatal(err)
		}
	}
	// Each of the 64 shards holds up to minSweep (64) calls' worth of keys.
	if n := m.Len(); n > 64*64 {
		t.Errorf("%d keys held, want at most %d", n, 64*64)
	}
}

// TestMemoryMaxKeys checks the bound holds when every key is live, and that
// the keys it keeps still limit.
func TestMemoryMaxKeys(t *testing.T) {
	const maxKeys = 1024
	m := limit.NewMemorySize(maxKeys)
	r := otpd.Rate{Count: 1, Per: time.Hour}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	for i := range 100 * maxKeys {
		if _, err := m.Allow(ctx, "flood"+strconv.Itoa(i), r, now); err != nil {
			t.Fatal(err)
		}
	}
	if n := m.Len(); n > maxKeys {
		t.Errorf("%d keys held, want at most %d", n, maxKeys)
	}
	if d, _ := m.Allow(ctx, "flood"+strconv.Itoa(100*maxKeys-1), r, now); d.Allowed {
		// The last key was just stored; only the next eviction could drop it.
		t.Errorf("most recent key allowed twice")
	}
}

func BenchmarkMemoryAllow(b *testing.B) {
	ctx := context.Background()
	r := otpd.Rate{Count: 1000, Per: time.Second}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

	b.Run("OneKey", func(b *testing.B) {
		m := limit.NewMemory()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := m.Allow(ctx, "key", r, now.Add(time.Duration(i)*time.Millisecond)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ManyKeysParallel", func(b *testing.B) {
		m := limit.NewMemory()
		keys := make([]string, 10_000)
		for i := range keys {
			keys[i] = fmt.Sprintf("user%d@example.com", i)
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := m.Allow(ctx, keys[i%len(keys)], r, now); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}
