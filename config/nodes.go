package config

import (
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
)

// StoreKind says which store Database names.
type StoreKind int

const (
	SQLite StoreKind = iota
	Postgres
)

// Store returns the kind of store and where it is: a file path for SQLite,
// a connection URL for PostgreSQL.
func (c Config) Store() (StoreKind, string) {
	switch {
	case c.Database == "":
		return SQLite, filepath.Join(c.DataDir, "otpd.db")
	case strings.HasPrefix(c.Database, "sqlite:"):
		return SQLite, strings.TrimPrefix(c.Database, "sqlite:")
	default:
		return Postgres, c.Database
	}
}

// TrustedNetworks returns TrustedProxies parsed; entries that do not parse
// are reported by Validate and left out here.
func (c Config) TrustedNetworks() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range c.TrustedProxies {
		if p, err := parsePrefix(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// parsePrefix takes a CIDR or a single address.
func parsePrefix(s string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	return p.Masked(), err
}

func (c Config) nodeProblems(bad func(key, format string, args ...any)) {
	if c.Database != "" && !strings.HasPrefix(c.Database, "sqlite:") {
		u, err := url.Parse(c.Database)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			// The value may hold a password: it is not repeated.
			bad("database", `must be "sqlite:PATH" or a postgres:// URL`)
		}
	}
	if c.Database == "sqlite:" {
		bad("database", "sqlite: needs a file path")
	}
	if c.DatabaseConnections < 1 || c.DatabaseConnections > 1000 {
		bad("database_connections", "must be between 1 and 1000, got %d", c.DatabaseConnections)
	}
	if c.Redis != "" {
		if u, err := url.Parse(c.Redis); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			bad("redis", "must be a redis:// or rediss:// URL")
		}
	}
	for _, s := range c.TrustedProxies {
		if _, err := parsePrefix(s); err != nil {
			bad("trusted_proxies", "%q is not an IP address or CIDR network", s)
		}
	}
	for key, v := range map[string]int{
		"limits.codes_per_ip_per_hour":      c.Limits.CodesPerIPPerHour,
		"limits.codes_per_network_per_hour": c.Limits.CodesPerNetworkPerHour,
		"limits.messages_per_minute":        c.Limits.MessagesPerMinute,
	} {
		if v < 0 {
			bad(key, "must be 0 (off) or more, got %d", v)
		}
	}
}
