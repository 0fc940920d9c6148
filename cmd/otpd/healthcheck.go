package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"time"
)

const healthcheckUsage = `Usage: otpd healthcheck [--url URL]

Asks a running server whether it is up (GET /healthz) and exits 0 if it
answers 200, 1 otherwise: a HEALTHCHECK for containers that have no curl.
--url http://127.0.0.1:8080/readyz asks whether it is ready instead. Without
--url it asks the address the configuration listens on (OTPD_LISTEN,
listen in the file), on loopback when that is every interface.

Flags:
`

// healthTimeout bounds the whole check: a server that takes longer is
// not healthy.
const healthTimeout = 5 * time.Second

func healthcheck(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	fs := newFlags("healthcheck", healthcheckUsage, args, stdout, stderr)
	configPath := fs.String("config", "", "read settings from this TOML `file` (default $OTPD_CONFIG)")
	target := fs.String("url", "", "the `URL` to ask (default http://LISTEN/healthz)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("healthcheck takes no arguments, got %q", fs.Args())
	}
	if *target == "" {
		cfg, err := loadConfig(*configPath, "", env)
		if err != nil {
			return err
		}
		*target = "http://" + loopback(cfg.Listen) + "/healthz"
	}
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *target, nil)
	if err != nil {
		return fmt.Errorf("--url: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("unhealthy: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("unhealthy: %s answered %s", *target, resp.Status)
	}
	fmt.Fprintf(stdout, "healthy: %s answered %s\n", *target, resp.Status)
	return nil
}

// loopback turns a listen address on every interface (":8080",
// "0.0.0.0:8080", "[::]:8080") into one a local client can dial.
func loopback(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if host == "" {
		return net.JoinHostPort("127.0.0.1", port)
	}
	if a, err := netip.ParseAddr(host); err == nil && a.IsUnspecified() {
		if a.Is4() {
			return net.JoinHostPort("127.0.0.1", port)
		}
		return net.JoinHostPort("::1", port)
	}
	return listen
}
