package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd/smtptest"
)

// childEnv, when set, makes the test binary run otpd itself with these
// arguments, so that a test can kill a real server process.
const childEnv = "OTPD_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(childEnv); args != "" {
		err := run(context.Background(), strings.Fields(args), os.LookupEnv, os.Stdout, os.Stderr,
			func(addr string) { fmt.Println("LISTENING", addr) })
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Invariant 4 across a crash: a server killed (SIGKILL) after committing a
// code but before delivering it loses nothing; the next start delivers it.
func TestMessageSurvivesAKilledServer(t *testing.T) {
	sink := smtptest.Start(t)
	// The relay refuses the first try for now (rather than going away, which
	// would free its port for another test to take).
	sink.FailNext(451, "try again later")
	c := startChild(t, smtpEnv(sink))
	if _, err := c.client().SignIn(ctx, "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	// Wait until the child has tried and failed once, so the message is
	// committed and not delivered.
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(c.logs.String(), "will retry"); {
		if time.Now().After(deadline) {
			t.Fatalf("the child never tried to deliver\n%s", c.logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.kill()

	startServer(t, smtpEnv(sink), "--data", c.dir)
	got := sink.WaitMessages(1, 90*time.Second)
	if len(got) != 1 || got[0].To[0] != "ada@example.com" {
		t.Fatalf("after the restart: %d messages", len(got))
	}
}
