package sqlite

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// The writer leaves checkpoints to the Store's own, beside it: the WAL is
// still copied into the database as writes go on, rather than growing
// with everything ever written.
func TestWALIsCheckpointedBesideTheWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "otpd.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	sealed := make([]byte, 64<<10)
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	const rounds = 20 // 20 × 8 × 64 KiB: 10 MiB written in all
	for i := range rounds {
		for j := range 8 {
			m := otpd.DevMessage{MessageID: fmt.Sprintf("<%d.%d@otpd.test>", i, j), To: otpd.MustParseAddress("wal@example.com"), At: at, Sealed: sealed}
			if err := s.KeepDevMessage(t.Context(), m, 4); err != nil {
				t.Fatalf("KeepDevMessage: %v", err)
			}
		}
		// Wait for a checkpoint round that began after these writes,
		// as the time between a real server's writes gives one.
		deadline := time.Now().Add(10 * time.Second)
		for seen := s.checkpoints.Load(); s.checkpoints.Load() < seen+2; {
			if time.Now().After(deadline) {
				t.Fatal("no checkpoint ran within 10 s")
			}
			time.Sleep(checkpointEvery / 10)
		}
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 5<<20 {
		t.Errorf("WAL is %d MiB after 10 MiB written; want it checkpointed and reused (under 5 MiB)", fi.Size()>>20)
	}
}
