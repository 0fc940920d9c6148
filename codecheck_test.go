package otpd_test

import (
	"testing"
	"time"

	"github.com/otpd/otpd"
)

func TestClosed(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name        string
		status      otpd.ChallengeStatus
		expiresAt   time.Time
		wantOutcome otpd.VerifyOutcome
		wantExpire  bool
		wantOK      bool
	}{
		{"pending, in its lifetime: to be checked", otpd.StatusPending, now.Add(time.Millisecond), "", false, false},
		{"pending, at its expiry: expire it", otpd.StatusPending, now, otpd.OutcomeExpired, true, true},
		{"pending, past its expiry: expire it", otpd.StatusPending, now.Add(-time.Hour), otpd.OutcomeExpired, true, true},
		{"expired", otpd.StatusExpired, now.Add(time.Hour), otpd.OutcomeExpired, false, true},
		{"exhausted", otpd.StatusExhausted, now.Add(time.Hour), otpd.OutcomeExhausted, false, true},
		{"exhausted past its expiry", otpd.StatusExhausted, now.Add(-time.Hour), otpd.OutcomeExhausted, false, true},
		{"used", otpd.StatusUsed, now.Add(time.Hour), otpd.OutcomeClosed, false, true},
		{"superseded", otpd.StatusSuperseded, now.Add(time.Hour), otpd.OutcomeClosed, false, true},
		{"denied", otpd.StatusDenied, now.Add(time.Hour), otpd.OutcomeClosed, false, true},
		{"denied past its expiry", otpd.StatusDenied, now.Add(-time.Hour), otpd.OutcomeClosed, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outcome, expire, ok := otpd.Closed(otpd.Challenge{Status: tc.status, ExpiresAt: tc.expiresAt}, now)
			if outcome != tc.wantOutcome || expire != tc.wantExpire || ok != tc.wantOK {
				t.Errorf("Closed = %q, expire %v, ok %v; want %q, %v, %v", outcome, expire, ok, tc.wantOutcome, tc.wantExpire, tc.wantOK)
			}
		})
	}
}

func TestFits(t *testing.T) {
	const asked, other = "session-asked", "session-other"
	for _, tc := range []struct {
		name    string
		purpose otpd.Purpose
		bound   string // the challenge's SessionID
		req     otpd.VerifyRequest
		want    bool
	}{
		{"sign-in", otpd.PurposeSignIn, "", otpd.VerifyRequest{}, true},
		{"sign-in sent as a step-up", otpd.PurposeSignIn, "", otpd.VerifyRequest{StepUpSession: asked}, false},
		{"sign-up", otpd.PurposeSignUp, "", otpd.VerifyRequest{}, true},
		{"sign-up sent as a step-up", otpd.PurposeSignUp, "", otpd.VerifyRequest{StepUpSession: asked}, false},
		{"step-up in its session", otpd.PurposeStepUp, asked, otpd.VerifyRequest{StepUpSession: asked}, true},
		{"step-up in another session", otpd.PurposeStepUp, asked, otpd.VerifyRequest{StepUpSession: other}, false},
		{"step-up in no session", otpd.PurposeStepUp, asked, otpd.VerifyRequest{}, false},
		{"step-up bound to no session", otpd.PurposeStepUp, "", otpd.VerifyRequest{}, false},
		{"change of address in its session", otpd.PurposeChangeEmail, asked, otpd.VerifyRequest{StepUpSession: asked}, true},
		{"change of address in another session", otpd.PurposeChangeEmail, asked, otpd.VerifyRequest{StepUpSession: other}, false},
		{"change of address bound to no session", otpd.PurposeChangeEmail, "", otpd.VerifyRequest{}, false},
		{"recovery address in its session", otpd.PurposeAddRecovery, asked, otpd.VerifyRequest{StepUpSession: asked}, true},
		{"recovery address in no session", otpd.PurposeAddRecovery, asked, otpd.VerifyRequest{}, false},
		{"reset with the new password", otpd.PurposeResetPassword, "", otpd.VerifyRequest{PasswordHash: "h"}, true},
		{"reset checked only", otpd.PurposeResetPassword, "", otpd.VerifyRequest{CheckOnly: true}, true},
		{"reset with neither", otpd.PurposeResetPassword, "", otpd.VerifyRequest{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := otpd.Challenge{Purpose: tc.purpose, SessionID: tc.bound}
			if got := otpd.Fits(c, tc.req); got != tc.want {
				t.Errorf("Fits = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAttemptsLeft(t *testing.T) {
	lim := otpd.GuessLimits{MaxWrong: 10, Window: 12 * time.Hour}
	for _, tc := range []struct {
		name            string
		attempts, max   int
		wrong, maxWrong int
		want            int
	}{
		{"the code's tries are fewer", 1, 5, 2, 10, 4},
		{"the budget is smaller", 1, 5, 8, 10, 2},
		{"both alike", 3, 5, 8, 10, 2},
		{"the budget is spent", 1, 5, 10, 10, 0},
		{"the budget is overspent", 1, 5, 12, 10, 0},
		{"the code is used up", 5, 5, 1, 10, 0},
		{"a zero MaxWrong leaves the code's tries", 1, 5, 100, 0, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lim.MaxWrong = tc.maxWrong
			c := otpd.Challenge{Attempts: tc.attempts, MaxAttempts: tc.max}
			if got := otpd.AttemptsLeft(c, tc.wrong, lim); got != tc.want {
				t.Errorf("AttemptsLeft(%d of %d tries, %d of %d wrong) = %d, want %d", tc.attempts, tc.max, tc.wrong, tc.maxWrong, got, tc.want)
			}
		})
	}
}
