package main

import (
	"bufio"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// The systemd unit passes systemd-analyze verify: every directive known,
// every value well-formed. The binary it names is not installed here, so
// the check runs on a copy that starts this test binary instead.
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	unit, err := os.ReadFile("../../packaging/otpd.service")
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(unit), "ExecStart=/usr/local/bin/otpd serve") {
		t.Fatal("the unit does not start /usr/local/bin/otpd serve")
	}
	copied := strings.Replace(string(unit), "ExecStart=/usr/local/bin/otpd", "ExecStart="+self, 1)
	path := filepath.Join(t.TempDir(), "otpd.service")
	if err := os.WriteFile(path, []byte(copied), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", "--man=no", path).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	for _, want := range []string{"DynamicUser=yes", "StateDirectory=otpd", "ProtectSystem=strict", "ProtectHome=yes",
		"NoNewPrivileges=yes", "PrivateTmp=yes", "RestrictAddressFamilies=", "SystemCallFilter=@system-service",
		"\nCapabilityBoundingSet=\n", "--data %S/otpd"} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("the unit lacks %q", want)
		}
	}
}

// Docker is not needed to read the Dockerfile: it builds a static binary,
// runs it as a user other than root with /data as its data directory, and
// its HEALTHCHECK runs a command otpd has.
func TestDockerfileLints(t *testing.T) {
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^FROM \S+ AS build$`),
		regexp.MustCompile(`CGO_ENABLED=0 go build -trimpath\b`),
		regexp.MustCompile(`(?m)^USER 65532:65532$`),
		regexp.MustCompile(`(?m)^VOLUME \["/data"\]$`),
		regexp.MustCompile(`OTPD_DATA_DIR=/data`),
		regexp.MustCompile(`(?m)^EXPOSE 8080$`),
		regexp.MustCompile(`OTPD_LISTEN=0.0.0.0:8080`),
		regexp.MustCompile(`CMD \["/usr/local/bin/otpd", "healthcheck"\]`),
		regexp.MustCompile(`(?m)^ENTRYPOINT \["/usr/local/bin/otpd"\]$`),
	} {
		if !want.MatchString(df) {
			t.Errorf("the Dockerfile lacks %s", want)
		}
	}
	if !strings.Contains(usage, "otpd healthcheck") {
		t.Error("the HEALTHCHECK's command is not in the usage")
	}
	ignore, err := os.ReadFile("../../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"otpd-data/", "*.key", "otpd.toml"} {
		if !strings.Contains(string(ignore), "\n"+secret+"\n") {
			t.Errorf(".dockerignore lets %s into the build context", secret)
		}
	}
}

// scripts/release builds a static binary per target and a SHA256SUMS that
// matches them. Its first build takes a minute or more (-trimpath misses
// the usual build cache), so -short skips it.
func TestReleaseScript(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a release binary; skipped with -short")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	out := t.TempDir()
	cmd := exec.Command("../../scripts/release", "-o", out, "linux/amd64")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/release: %v\n%s", err, b)
	}
	sums, err := os.Open(filepath.Join(out, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer sums.Close()
	line := regexp.MustCompile(`^([0-9a-f]{64})  (otpd-\S+-linux-amd64)$`)
	var files []string
	sc := bufio.NewScanner(sums)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			t.Fatalf("SHA256SUMS line %q is not \"HASH  otpd-VERSION-linux-amd64\"", sc.Text())
		}
		bin, err := os.ReadFile(filepath.Join(out, m[2]))
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(bin); hex.EncodeToString(sum[:]) != m[1] {
			t.Errorf("%s: SHA256SUMS says %s, the file hashes to %x", m[2], m[1], sum)
		}
		files = append(files, m[2])
	}
	if len(files) != 1 {
		t.Fatalf("SHA256SUMS names %d files, want the one target", len(files))
	}
	bin := filepath.Join(out, files[0])
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elf.EM_X86_64 {
		t.Errorf("%s is for %v", files[0], f.Machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s asks for a dynamic loader: not static", files[0])
		}
	}
	if runtime.GOOS == "linux" && runtime.GOARCH == "amd64" {
		v, err := exec.Command(bin, "version").Output()
		if err != nil || !strings.HasPrefix(string(v), "otpd ") {
			t.Errorf("%s version: %v %q", files[0], err, v)
		}
	}
}
