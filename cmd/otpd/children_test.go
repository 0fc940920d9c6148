package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// child is a real otpd process: the test binary running otpd (see
// TestMain) on a loopback port, so that a test can run several nodes as a
// deployment would, or kill one.
type child struct {
	*server
	cmd *exec.Cmd
}

// startChild starts an otpd process with env added to the test's own
// environment, and args after serve's, and waits until it listens. Its
// output, logs included, is kept in logs. It is killed when the test ends;
// a data race the race detector found in it fails the test.
func startChild(t *testing.T, env map[string]string, args ...string) *child {
	t.Helper()
	dir := t.TempDir()
	argv := append(append(slices.Clone(testServeArgs), "--data", dir), args...)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join(argv, " "))
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	logs := &syncBuffer{}
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{server: &server{dir: dir, logs: logs}, cmd: cmd}
	t.Cleanup(func() {
		c.kill()
		if strings.Contains(logs.String(), "WARNING: DATA RACE") {
			t.Errorf("the race detector found a data race in a child server:\n%s", logs)
		}
	})
	addr := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if a, ok := strings.CutPrefix(lines.Text(), "LISTENING "); ok {
				addr <- a
				break
			}
		}
		io.Copy(logs, stdout)
	}()
	select {
	case a := <-addr:
		c.url = "http://" + a
		return c
	case <-time.After(60 * time.Second):
		t.Fatalf("the child server did not start in time\n%s", logs)
	}
	return nil
}

// kill stops the process at once, as a crash would, and waits for it.
func (c *child) kill() {
	c.cmd.Process.Kill()
	c.cmd.Wait()
}
