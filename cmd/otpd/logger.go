package main

import (
	"io"
	"log/slog"

	"github.com/otpd/otpd/config"
)

func newLogger(c config.LogConfig, w io.Writer) *slog.Logger {
	var level slog.Level
	// Validate has already refused unknown levels.
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// requestLogLevel is the level of the line logged per request, nil when
// log.requests is off.
func requestLogLevel(c config.LogConfig) slog.Leveler {
	var level slog.Level
	if c.Requests == "off" || level.UnmarshalText([]byte(c.Requests)) != nil {
		return nil
	}
	return level
}
