package config_test

import (
	"errors"
	"testing"
	"time"

	"github.com/otpd/otpd/config"
)

func TestRetention(t *testing.T) {
	c, err := config.Load("", env(map[string]string{
		"OTPD_RETENTION_EVENTS":   "0s",
		"OTPD_RETENTION_SESSIONS": "48h",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Retention.Events != 0 || time.Duration(c.Retention.Sessions) != 48*time.Hour ||
		time.Duration(c.Retention.Challenges) != 720*time.Hour {
		t.Errorf("retention %+v", c.Retention)
	}
	for _, tc := range []struct {
		key string
		set func(*config.RetentionConfig)
	}{
		{"retention.events", func(r *config.RetentionConfig) { r.Events = config.Duration(24 * time.Hour) }},
		{"retention.challenges", func(r *config.RetentionConfig) { r.Challenges = config.Duration(time.Hour) }},
		{"retention.sessions", func(r *config.RetentionConfig) { r.Sessions = config.Duration(time.Minute) }},
		{"retention.interval", func(r *config.RetentionConfig) { r.Interval = 0 }},
		{"retention.interval", func(r *config.RetentionConfig) { r.Interval = config.Duration(48 * time.Hour) }},
	} {
		c := config.Default()
		tc.set(&c.Retention)
		var errs config.Errors
		if err := c.Validate(); !errors.As(err, &errs) || len(errs) != 1 || errs[0].Key != tc.key {
			t.Errorf("%s: Validate() = %v, want one problem naming it", tc.key, err)
		}
	}
}
