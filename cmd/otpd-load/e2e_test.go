package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// roomyLimits are the settings --help documents for a server under load.
var roomyLimits = []string{
	"OTPD_LIMITS_CODES_PER_IP_PER_HOUR=0", "OTPD_LIMITS_CODES_PER_NETWORK_PER_HOUR=0",
	"OTPD_LIMITS_MESSAGES_PER_MINUTE=0", "OTPD_LIMITS_CODES_PER_HOUR=1000000", "OTPD_LIMITS_CODES_PER_DAY=1000000",
}

// TestEndToEnd builds the real otpd and the floor, starts them as child
// processes on loopback ports, and drives a few complete flows through
// each way of reading codes.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts servers")
	}
	bin := buildServers(t)

	t.Run("dev mailbox, seeded store", func(t *testing.T) {
		data := t.TempDir()
		if err := run(t.Context(), []string{"seed", "--db", filepath.Join(data, "otpd.db"), "--accounts", "5", "--events", "50"},
			io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		url, pid := startServer(t, filepath.Join(bin, "otpd"), roomyLimits, "serve", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--data", data)
		res := drive(t, "--target", url, "--concurrency", "2", "--flows", "4", "--accounts", "3", "--server-pid", strconv.Itoa(pid))
		wantFlows(t, res, 4, stepRequest, stepRead, stepVerify, stepMe)
		if res.ServerRSS == nil || *res.ServerRSS <= 0 || *res.ServerIdleRSS <= 0 || res.MailboxPolls < 4 {
			t.Errorf("memory %v, idle %v, polls %d", res.ServerRSS, res.ServerIdleRSS, res.MailboxPolls)
		}
		// A second run finds the first run's messages to the same
		// accounts in the mailbox, and must not take them for its own.
		res = drive(t, "--target", url, "--concurrency", "2", "--flows", "4", "--accounts", "3")
		wantFlows(t, res, 4, stepRequest, stepRead, stepVerify, stepMe)
	})

	t.Run("SMTP sink", func(t *testing.T) {
		sinkAddr := freeAddr(t)
		env := append([]string{"OTPD_SMTP_URL=smtp://" + sinkAddr, "OTPD_SMTP_TLS=none",
			"OTPD_MAIL_FROM=Bench <bench@example.com>"}, roomyLimits...)
		url, _ := startServer(t, filepath.Join(bin, "otpd"), env, "serve", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--data", t.TempDir())
		res := drive(t, "--target", url, "--smtp-sink", sinkAddr, "--concurrency", "1", "--flows", "3")
		wantFlows(t, res, 3, stepRequest, stepRead, stepVerify, stepMe)
		if res.SinkMessages != 3 || res.MailboxPolls != 0 {
			t.Errorf("sink took %d messages, mailbox read %d times; want 3 and 0", res.SinkMessages, res.MailboxPolls)
		}
	})

	t.Run("floor, open loop", func(t *testing.T) {
		url, _ := startServer(t, filepath.Join(bin, "otpd-floor"), nil, "--listen", "127.0.0.1:0", "--data", t.TempDir())
		res := drive(t, "--floor", "--target", url, "--rate", "50/s", "--flows", "5")
		wantFlows(t, res, 5, stepRequest, stepVerify)
		if _, ok := res.PerStep[stepRead]; ok {
			t.Error("the floor's flow has a read step")
		}
	})
}

func drive(t *testing.T, args ...string) result {
	t.Helper()
	var out, progress bytes.Buffer
	if err := run(t.Context(), append(args, "--json", "--duration", "1m"), &out, &progress); err != nil {
		t.Fatalf("otpd-load %s: %v\n%s", strings.Join(args, " "), err, progress.String())
	}
	var res result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	return res
}

func wantFlows(t *testing.T, res result, n int, steps ...string) {
	t.Helper()
	if res.Flows != n || res.Errors != 0 || res.FlowsPerSec <= 0 {
		t.Errorf("%d flows (%.1f/s), errors %v; want %d flows and none", res.Flows, res.FlowsPerSec, res.ErrorsByKind, n)
	}
	for _, s := range append(steps, stepFlow) {
		if l := res.PerStep[s]; l.Count != n || l.P99 <= 0 {
			t.Errorf("step %s: %+v, want %d timings", s, l, n)
		}
	}
}

// buildServers builds otpd and otpd-floor into a temporary directory, in
// one go build, which reuses the build cache the test run has filled.
func buildServers(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build the servers with")
	}
	dir := t.TempDir()
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	if raceBuild {
		args = append(args, "-race")
	}
	cmd := exec.Command(goTool, append(args, "github.com/otpd/otpd/cmd/otpd", "github.com/otpd/otpd/cmd/otpd-floor")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// listening finds the address in otpd's and the floor's start-up line.
var listening = regexp.MustCompile(`listening.*?http://(127\.0\.0\.1:\d+)/`)

// startServer starts a server process and waits for its start-up line.
// It is stopped, as with Ctrl-C, when the test ends.
func startServer(t *testing.T, bin string, env []string, args ...string) (url string, pid int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s said:\n%s", filepath.Base(bin), logs.String())
		}
	})
	addr := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stderr)
		for lines.Scan() {
			logs.write(lines.Text() + "\n")
			if m := listening.FindStringSubmatch(lines.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return "http://" + a, cmd.Process.Pid
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start:\n%s", bin, logs.String())
	}
	return "", 0
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) write(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(s)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// freeAddr finds a free loopback port for the sink, which otpd must be
// told of before the sink listens.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
