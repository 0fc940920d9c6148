package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/otpd/otpd/config"
)

// Goals from DESIGN.md that check-config measures the settings against.
const (
	goalTargeted = 1e-6
	goalBotnet   = 0.01
	botnetSize   = 1_000_000
)

func checkConfig(_ context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "read settings from this TOML `file` (default $OTPD_CONFIG)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: otpd check-config [--config FILE]\n\n"+
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
	cfg, err := config.Load(*configPath, env)
	if err != nil {
		return err
	}
	reportOdds(stdout, cfg)
	return nil
}

func reportOdds(w io.Writer, c config.Config) {
	targeted := c.GuessBound30Days()
	// Each account absorbs at most its own limit, so spreading guesses
	// multiplies the per-account bound by the number of accounts.
	botnet := targeted * botnetSize
	fmt.Fprintf(w, "The configuration is valid.\n\n")
	fmt.Fprintf(w, "Codes: %d digits, valid %s, %d wrong tries each.\n", c.Code.Digits,
		c.Code.Lifetime, c.Code.MaxAttempts)
	fmt.Fprintf(w, "Wrong codes per account: %d per %s, across all its flows.\n",
		c.Limits.WrongCodesPerAccount, c.Limits.WrongCodesWindow)
	fmt.Fprintf(w, "\nWorst-case chance that an attacker guesses the code of one targeted\n"+
		"account within 30 days: %.2g (goal: below %.0e) %s\n", targeted, goalTargeted, verdict(targeted < goalTargeted))
	fmt.Fprintf(w, "\nExpected accounts lost in 30 days to a botnet that spreads guesses over\n"+
		"%d accounts, each at its per-account limit: %.2g (goal: below %.2g) %s\n",
		botnetSize, botnet, goalBotnet, verdict(botnet < goalBotnet))
	if botnet >= goalBotnet {
		fmt.Fprintf(w, "Per-account limits cannot meet this goal on their own: it needs a\n"+
			"service-wide budget of failed guesses, which otpd does not have yet.\n")
	}
}

func verdict(ok bool) string {
	if ok {
		return "- met"
	}
	return "- NOT MET"
}
