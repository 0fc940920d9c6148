package main

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// checkTarget accepts only an http URL on this machine's loopback: a load
// generator pointed elsewhere is a denial-of-service tool.
func checkTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("--target %q: want http://127.0.0.1:PORT", raw)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		return nil, fmt.Errorf("--target %q: want the server's origin, without path or query", raw)
	}
	if !loopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("--target %q: otpd-load drives servers on loopback only (127.0.0.0/8, ::1, localhost)", raw)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// checkLoopbackAddr accepts a host:port on loopback, for the SMTP sink.
func checkLoopbackAddr(flag, addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s %q: want host:port such as 127.0.0.1:2525", flag, addr)
	}
	if !loopbackHost(host) {
		return fmt.Errorf("%s %q: must be on loopback (127.0.0.0/8, ::1, localhost)", flag, addr)
	}
	return nil
}

func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// newTransport keeps a bounded set of keep-alive connections to the
// target. Its dialer refuses any address that is not loopback, whatever
// a name resolved to.
func newTransport(conns int, timeout time.Duration) *http.Transport {
	d := &net.Dialer{Timeout: timeout, Control: onlyLoopback}
	return &http.Transport{
		DialContext:         d.DialContext,
		MaxConnsPerHost:     conns,
		MaxIdleConnsPerHost: conns,
		MaxIdleConns:        conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
}

func onlyLoopback(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !ap.Addr().Unmap().IsLoopback() {
		return fmt.Errorf("otpd-load: refusing to connect to %s: not loopback", address)
	}
	return nil
}
