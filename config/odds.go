package config

import (
	"math"
	"time"
)

// GuessBound30Days returns the worst-case chance that an attacker guesses the
// code of one targeted account within 30 days: G / 10^digits, where G is the
// most wrong codes the account absorbs in 30 days,
// wrong_codes_per_account * (ceil(30 days / window) + 1). The +1 allows for
// windows that straddle the start and end of the 30 days. Each guess is
// against a fresh uniform code at best, so the union bound is G / 10^digits.
// It is meaningful for a valid Config; for a window of zero it returns 1.
func (c Config) GuessBound30Days() float64 {
	window := time.Duration(c.Limits.WrongCodesWindow)
	if window <= 0 {
		return 1
	}
	const month = 30 * 24 * time.Hour
	windows := math.Ceil(float64(month)/float64(window)) + 1
	guesses := float64(c.Limits.WrongCodesPerAccount) * windows
	return math.Min(1, guesses/math.Pow10(c.Code.Digits))
}

// GuessesPerMonth bounds the failed guesses a botnet gets in 30 days when
// it spreads them over accounts accounts from as many IPs as it likes: each
// account absorbs at most its own budget (as in GuessBound30Days), and the
// whole service at most limits.failed_guesses_per_hour, whichever is less.
func (c Config) GuessesPerMonth(accounts int) float64 {
	const month = 30 * 24 * time.Hour
	perAccount := float64(accounts) * c.GuessBound30Days() * math.Pow10(c.Code.Digits)
	if c.Limits.FailedGuessesPerHour <= 0 {
		return perAccount
	}
	// +1 hour for the budget's burst at the start of the month.
	service := float64(c.Limits.FailedGuessesPerHour) * (month.Hours() + 1)
	return math.Min(perAccount, service)
}

// BotnetLoss is the expected number of accounts an attacker takes in 30
// days by spreading guesses over accounts accounts: each guess is right
// with a chance of at most 1 in 10^digits.
func (c Config) BotnetLoss(accounts int) float64 {
	return c.GuessesPerMonth(accounts) / math.Pow10(c.Code.Digits)
}
