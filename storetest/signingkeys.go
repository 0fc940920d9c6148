package storetest

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// The keys that sign ID tokens: one at first start whatever the number of
// nodes, and rotation that keeps the old key published until what it
// signed has expired.
var signingKeyTests = []test{
	{"RoundTrip", testKeyRoundTrip},
	{"EnsureKeepsTheKey", testKeyEnsureKeeps},
	{"Rotate", testKeyRotate},
}

// newKey is a signing key made at at that signs from at.
func newKey(at time.Time) otpd.SigningKey {
	id := newID("key")
	return otpd.SigningKey{
		ID: id, Alg: otpd.AlgES256, Sealed: []byte("sealed " + id), Public: []byte(`{"kid":"` + id + `"}`),
		CreatedAt: at, SignsFrom: at,
	}
}

func ensureKey(t *testing.T, s otpd.Store, k otpd.SigningKey, now time.Time) []otpd.SigningKey {
	t.Helper()
	keys, err := s.EnsureSigningKey(t.Context(), k, now)
	if err != nil {
		t.Fatalf("EnsureSigningKey: %v", err)
	}
	return keys
}

func keyIDs(keys []otpd.SigningKey) []string {
	var ids []string
	for _, k := range keys {
		ids = append(ids, k.ID)
	}
	return ids
}

func testKeyRoundTrip(t *testing.T, s otpd.Store) {
	k := newKey(t0)
	keys := ensureKey(t, s, k, t0)
	if len(keys) != 1 {
		t.Fatalf("keys %q, want one", keyIDs(keys))
	}
	got := keys[0]
	if got.ID != k.ID || got.Alg != k.Alg || !bytes.Equal(got.Sealed, k.Sealed) || !bytes.Equal(got.Public, k.Public) ||
		!got.CreatedAt.Equal(k.CreatedAt) || !got.SignsFrom.Equal(k.SignsFrom) || !got.ExpiresAt.IsZero() {
		t.Errorf("key\n got %+v\nwant %+v", got, k)
	}
	read, err := s.SigningKeys(t.Context(), t0)
	if err != nil || len(read) != 1 || read[0].ID != k.ID {
		t.Errorf("SigningKeys = %q, %v", keyIDs(read), err)
	}
}

// A second Ensure while a key signs keeps it.
func testKeyEnsureKeeps(t *testing.T, s otpd.Store) {
	first := newKey(t0)
	ensureKey(t, s, first, t0)
	keys := ensureKey(t, s, newKey(t0.Add(time.Hour)), t0.Add(time.Hour))
	if len(keys) != 1 || keys[0].ID != first.ID {
		t.Errorf("keys %q, want only %s", keyIDs(keys), first.ID)
	}
}

// Rotation publishes the next key before it signs and keeps the old one
// until keep after the switch; a second rotation within every does
// nothing.
func testKeyRotate(t *testing.T, s otpd.Store) {
	const every, keep, prepublish = 30 * 24 * time.Hour, 6 * time.Hour, 24 * time.Hour
	old := newKey(t0)
	ensureKey(t, s, old, t0)
	rotate := func(at time.Time) (otpd.SigningKey, bool) {
		t.Helper()
		next := newKey(at)
		next.SignsFrom = at.Add(prepublish)
		ok, err := s.RotateSigningKey(t.Context(), next, at, every, keep)
		if err != nil {
			t.Fatalf("RotateSigningKey: %v", err)
		}
		return next, ok
	}
	if _, ok := rotate(t0.Add(every - time.Hour)); ok {
		t.Fatal("rotated a key younger than every")
	}
	at := t0.Add(every)
	next, ok := rotate(at)
	if !ok {
		t.Fatal("did not rotate a key as old as every")
	}
	if _, ok := rotate(at.Add(time.Minute)); ok {
		t.Fatal("rotated twice")
	}
	keysAt := func(now time.Time) []otpd.SigningKey {
		keys, err := s.SigningKeys(t.Context(), now)
		if err != nil {
			t.Fatal(err)
		}
		return keys
	}
	for _, tc := range []struct {
		now     time.Time
		ids     []string
		signing string
	}{
		{at, []string{next.ID, old.ID}, old.ID},                                           // published, not yet signing
		{next.SignsFrom, []string{next.ID, old.ID}, next.ID},                              // the switch
		{next.SignsFrom.Add(keep - time.Millisecond), []string{next.ID, old.ID}, next.ID}, // old tokens still verify
		{next.SignsFrom.Add(keep), []string{next.ID}, next.ID},                            // gone
	} {
		keys := keysAt(tc.now)
		if got := keyIDs(keys); len(got) != len(tc.ids) || got[0] != tc.ids[0] || (len(got) > 1 && got[1] != tc.ids[1]) {
			t.Errorf("at %v: keys %q, want %q", tc.now, got, tc.ids)
		}
		if k, _ := otpd.Signing(keys, tc.now); k.ID != tc.signing {
			t.Errorf("at %v: %s signs, want %s", tc.now, k.ID, tc.signing)
		}
	}
}

// Every node makes a key at its first start, at once: one is kept, and
// every node is handed that one.
func testConcurrentFirstKey(t *testing.T, s otpd.Store) {
	const n = 20
	got := make([][]otpd.SigningKey, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			got[i], errs[i] = s.EnsureSigningKey(t.Context(), newKey(t0), t0)
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("EnsureSigningKey: %v", errs[i])
		}
		if len(got[i]) != 1 || got[i][0].ID != got[0][0].ID {
			t.Fatalf("node %d has keys %q, node 0 %q; want one, the same", i, keyIDs(got[i]), keyIDs(got[0]))
		}
	}
	keys, err := s.SigningKeys(t.Context(), t0)
	if err != nil || len(keys) != 1 {
		t.Errorf("stored keys %q, %v; want one", keyIDs(keys), err)
	}
}
