package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd/client"
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
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childEnv+"=serve --listen 127.0.0.1:0 --data "+dir)
	for k, v := range smtpEnv(sink) {
		child.Env = append(child.Env, k+"="+v)
	}
	stdout, _ := child.StdoutPipe()
	stderr, _ := child.StderrPipe()
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { child.Process.Kill(); child.Wait() })
	lines := bufio.NewScanner(stdout)
	var addr string
	for lines.Scan() {
		if a, ok := strings.CutPrefix(lines.Text(), "LISTENING "); ok {
			addr = a
			break
		}
	}
	if addr == "" {
		t.Fatal("the child server did not start")
	}
	if _, err := client.New("http://"+addr).SignIn(ctx, "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	// Wait until the child has tried and failed once, so the message is
	// committed and not delivered.
	retried := make(chan struct{})
	go func() {
		logs := bufio.NewScanner(stderr)
		for logs.Scan() {
			if strings.Contains(logs.Text(), "will retry") {
				close(retried)
				break
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	select {
	case <-retried:
	case <-time.After(30 * time.Second):
		t.Fatal("the child never tried to deliver")
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()

	startServer(t, smtpEnv(sink), "--data", dir)
	got := sink.WaitMessages(1, 90*time.Second)
	if len(got) != 1 || got[0].To[0] != "ada@example.com" {
		t.Fatalf("after the restart: %d messages", len(got))
	}
}
