package main

import (
	"net"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// "otpd version" and "otpd --version" print one line: otpd, the version
// (devel under go test, which records none), and the Go that built it.
func TestVersion(t *testing.T) {
	line := regexp.MustCompile(`^otpd \S+( \([^)]*\))? ` + regexp.QuoteMeta(runtime.Version()) + "\n$")
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		out, _, err := runCmd(t, nil, args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if !line.MatchString(out) {
			t.Errorf("%v printed %q, want a line like %s", args, out, line)
		}
	}
	if _, _, err := runCmd(t, nil, "version", "extra"); err == nil {
		t.Error("version took an argument")
	}
}

// The start log line says which version is serving.
func TestServeLogsItsVersion(t *testing.T) {
	s := startServer(t, nil)
	if !regexp.MustCompile(`msg="otpd listening".* version=\S+`).MatchString(s.logs.String()) {
		t.Errorf("the start line does not name the version:\n%s", s.logs)
	}
}

// healthcheck exits 0 for a server that answers and 1 (an error) for
// none; without --url it finds the server where OTPD_LISTEN says.
func TestHealthcheck(t *testing.T) {
	s := startServer(t, nil)
	out, _, err := runCmd(t, nil, "healthcheck", "--url", s.url+"/api/v1/openapi.json")
	if err != nil || !strings.Contains(out, "200 OK") {
		t.Fatalf("healthy server: %v, %q", err, out)
	}
	host := strings.TrimPrefix(s.url, "http://")
	_, port, _ := net.SplitHostPort(host)
	if _, _, err := runCmd(t, map[string]string{"OTPD_LISTEN": "0.0.0.0:" + port, "OTPD_PUBLIC_URL": "https://id.example.com"}, "healthcheck"); err != nil {
		t.Errorf("healthcheck on the listen address of the environment: %v", err)
	}
	if _, _, err := runCmd(t, nil, "healthcheck", "--url", s.url+"/no/such/page"); err == nil || !strings.Contains(err.Error(), "unhealthy") {
		t.Errorf("a 404 is healthy: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	if _, _, err := runCmd(t, nil, "healthcheck", "--url", "http://"+closed+"/"); err == nil || !strings.Contains(err.Error(), "unhealthy") {
		t.Errorf("no server is healthy: %v", err)
	}
}

func TestLoopback(t *testing.T) {
	for in, want := range map[string]string{
		":8080":          "127.0.0.1:8080",
		"0.0.0.0:8080":   "127.0.0.1:8080",
		"[::]:8080":      "[::1]:8080",
		"127.0.0.1:8080": "127.0.0.1:8080",
		"[::1]:9":        "[::1]:9",
		"otpd.lan:8080":  "otpd.lan:8080",
	} {
		if got := loopback(in); got != want {
			t.Errorf("loopback(%q) = %q, want %q", in, got, want)
		}
	}
}
