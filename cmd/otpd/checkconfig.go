package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/otpd/otpd/config"
)

// Goals that check-config measures the settings against (ARCHITECTURE.md,
// "The goals").
const (
	goalTargeted = 1e-6
	goalBotnet   = 0.01
	botnetSize   = 1_000_000
)

func checkConfig(_ context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "read settings from this TOML `file` (default $OTPD_CONFIG)")
	asJSON := fs.Bool("json", false, "print the figures and the limits they come from as JSON")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: otpd check-config [--config FILE] [--json]\n\n"+
			"Validates the configuration, reporting every problem at once, and says\n"+
			"what its limits mean as odds that an attacker guesses a code.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *configPath == "" {
		*configPath, _ = env("OTPD_CONFIG")
	}
	cfg, err := loadSettings(*configPath, env)
	if err != nil {
		return err
	}
	if *asJSON {
		return reportJSON(stdout, cfg)
	}
	reportOdds(stdout, cfg)
	return nil
}

// odds are check-config's figures, with the limits they come from, as
// --json prints them.
type odds struct {
	TargetedAccount30d   float64 `json:"targeted_account_30d"`
	MillionAccountsMonth float64 `json:"million_accounts_month"`
	GuessesPerMonth      float64 `json:"million_accounts_guesses_per_month"`
	Goals                struct {
		TargetedAccount30d   float64 `json:"targeted_account_30d"`
		MillionAccountsMonth float64 `json:"million_accounts_month"`
	} `json:"goals"`
	Met    bool       `json:"met"`
	Limits oddsLimits `json:"limits"`
}

type oddsLimits struct {
	Digits               int    `json:"code_digits"`
	MaxAttempts          int    `json:"code_max_attempts"`
	WrongPerAccount      int    `json:"wrong_codes_per_account"`
	WrongWindow          string `json:"wrong_codes_window"`
	LockoutAfter         int    `json:"lockout_after"`
	LockoutBackoff       string `json:"lockout_backoff"`
	FailedGuessesPerHour int    `json:"failed_guesses_per_hour"`
	BreakerPause         string `json:"breaker_pause"`
}

func figures(c config.Config) odds {
	o := odds{
		TargetedAccount30d:   c.GuessBound30Days(),
		MillionAccountsMonth: c.BotnetLoss(botnetSize),
		GuessesPerMonth:      c.GuessesPerMonth(botnetSize),
		Limits: oddsLimits{
			Digits: c.Code.Digits, MaxAttempts: c.Code.MaxAttempts,
			WrongPerAccount: c.Limits.WrongCodesPerAccount, WrongWindow: c.Limits.WrongCodesWindow.String(),
			LockoutAfter: c.Limits.LockoutAfter, LockoutBackoff: c.Limits.LockoutBackoff.String(),
			FailedGuessesPerHour: c.Limits.FailedGuessesPerHour, BreakerPause: c.Limits.BreakerPause.String(),
		},
	}
	o.Goals.TargetedAccount30d, o.Goals.MillionAccountsMonth = goalTargeted, goalBotnet
	o.Met = o.TargetedAccount30d < goalTargeted && o.MillionAccountsMonth < goalBotnet
	return o
}

func reportJSON(w io.Writer, c config.Config) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(figures(c))
}

func reportOdds(w io.Writer, c config.Config) {
	o := figures(c)
	fmt.Fprintf(w, "The configuration is valid.\n\n")
	fmt.Fprintf(w, "Codes: %d digits, valid %s, %d wrong tries each.\n", c.Code.Digits,
		c.Code.Lifetime, c.Code.MaxAttempts)
	fmt.Fprintf(w, "Failures per account (wrong codes and passwords): %d per %s, across all its\n"+
		"flows; unfamiliar devices locked out with a doubling pause after %d.\n",
		c.Limits.WrongCodesPerAccount, c.Limits.WrongCodesWindow, c.Limits.LockoutAfter)
	fmt.Fprintf(w, "Failed guesses for the whole service: %d per hour from unfamiliar devices.\n",
		c.Limits.FailedGuessesPerHour)
	fmt.Fprintf(w, "\nWorst-case chance that an attacker guesses the code of one targeted\n"+
		"account within 30 days: %.2g (goal: below %.0e) %s\n", o.TargetedAccount30d, goalTargeted, verdict(o.TargetedAccount30d < goalTargeted))
	fmt.Fprintf(w, "\nExpected accounts lost in 30 days to a botnet that spreads guesses over\n"+
		"%d accounts from many IPs (%.3g guesses): %.2g (goal: below %.2g) %s\n",
		botnetSize, o.GuessesPerMonth, o.MillionAccountsMonth, goalBotnet, verdict(o.MillionAccountsMonth < goalBotnet))
	if o.MillionAccountsMonth >= goalBotnet {
		fmt.Fprintf(w, "Per-account limits cannot meet this goal on their own: lower\n"+
			"limits.failed_guesses_per_hour, the service-wide budget.\n")
	}
}

func verdict(ok bool) string {
	if ok {
		return "- met"
	}
	return "- NOT MET"
}
