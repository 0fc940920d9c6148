package main

import (
	"errors"
	"sync"
	"testing"

	"github.com/otpd/otpd/client"
)

// pendingCode starts a server with an account whose owner is signed in,
// and a second code for that account, requested and not yet used.
func pendingCode(t *testing.T) (s *server, owner *client.Client, flowID, code string) {
	t.Helper()
	s = startServer(t, nil)
	owner = s.signIn(t, "ada@example.com")
	f, err := s.client().SignIn(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	return s, owner, f.FlowID, s.code(t, "ada@example.com", 1)
}

// countEvents counts an account's events of one type.
func countEvents(t *testing.T, owner *client.Client, typ string) int {
	t.Helper()
	evs, err := owner.Activity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// Invariants 2 and 3 through the whole server: many simultaneous requests
// on one code are evaluated exactly as the policy allows.
func TestConcurrentGuessesOnOneCode(t *testing.T) {
	s, owner, flowID, right := pendingCode(t)
	wrong := "000000000"
	if right == wrong {
		wrong = "000000001"
	}

	const guesses = 50
	codes := make(chan string, guesses)
	var wg sync.WaitGroup
	for range guesses {
		wg.Go(func() {
			_, err := s.client().Verify(ctx, flowID, wrong)
			var e *client.Error
			if !errors.As(err, &e) {
				t.Errorf("a wrong guess answered %v", err)
				return
			}
			codes <- e.Code
		})
	}
	wg.Wait()
	close(codes)
	count := map[string]int{}
	for c := range codes {
		count[c]++
	}
	// With the defaults, a device the account does not know has three
	// free failures; the fourth locks it out (limits.lockout_after), before
	// the code's own five tries are spent. Three guesses are told how many
	// tries are left; the fourth and every later one share
	// too_many_attempts.
	if count["invalid_code"] != 3 || count["too_many_attempts"] != guesses-3 {
		t.Errorf("answers %v, want 3 invalid_code and %d too_many_attempts", count, guesses-3)
	}
	if evaluated := countEvents(t, owner, "code_wrong"); evaluated != 4 {
		t.Errorf("%d wrong guesses were evaluated, want exactly 4", evaluated)
	}
	if n := countEvents(t, owner, "locked_out"); n != 1 {
		t.Errorf("%d lockouts recorded, want 1", n)
	}
}

func TestConcurrentRightCodeMakesOneSession(t *testing.T) {
	s, owner, flowID, right := pendingCode(t)

	const tries = 20
	tokens := make(chan string, tries)
	var wg sync.WaitGroup
	for range tries {
		wg.Go(func() {
			in, err := s.client().Verify(ctx, flowID, right)
			if err == nil {
				tokens <- in.SessionToken
			}
		})
	}
	wg.Wait()
	close(tokens)
	if n := len(tokens); n != 1 {
		t.Fatalf("%d sessions from one code, want exactly 1", n)
	}
	if started := countEvents(t, owner, "session_started"); started != 2 { // the owner's own, and the one from the race
		t.Errorf("%d sessions started, want 2", started)
	}
}
