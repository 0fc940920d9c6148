package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/mail"
	"github.com/otpd/otpd/signin"
)

// Metrics is the engine's and the outbox worker's observer.
var (
	_ signin.Observer = (*Metrics)(nil)
	_ mail.Observer   = (*Metrics)(nil)
)

// verifyOutcomes are the outcomes the engine tells (not OutcomeMatched).
var verifyOutcomes = []otpd.VerifyOutcome{otpd.OutcomeVerified, otpd.OutcomeWrong, otpd.OutcomeExpired,
	otpd.OutcomeExhausted, otpd.OutcomeLocked, otpd.OutcomeClosed}

func (m *Metrics) newEngineMetrics(reg prometheus.Registerer) {
	m.codes = newCounters(reg, prometheus.CounterOpts{
		Name: "otpd_code_requests_total",
		Help: "Requests for a code, by outcome: queued (a code is in the outbox), no_account (a notice without a code is), held_back (the account is under attack, the requester a stranger), code_off (the account turned code-only sign-in off), refused (a limit refused).",
	}, "outcome", signin.CodeOutcomes)
	m.refusals = newCounters(reg, prometheus.CounterOpts{
		Name: "otpd_limit_refusals_total",
		Help: "Requests a limit refused, by limit: cooldown, per_hour and per_day per address; ip, network and messages on code requests; password_ip and password_network on password attempts.",
	}, "limit", signin.Limits)
	m.verifies = newCounters(reg, prometheus.CounterOpts{
		Name: "otpd_code_verifications_total",
		Help: "Submitted codes the store decided, by outcome: verified, wrong, expired, exhausted (too many wrong tries on this code), locked (the account's budget of wrong codes is spent), closed (used, superseded or denied).",
	}, "outcome", verifyOutcomes)
	m.signIns = newSignInCounters(reg)
}

// CodeRequested counts a request for a code.
func (m *Metrics) CodeRequested(o signin.CodeOutcome) { m.codes.inc(o) }

// Refused counts a refusal by limit l.
func (m *Metrics) Refused(l signin.Limit) { m.refusals.inc(l) }

// Verified counts a decided code.
func (m *Metrics) Verified(o otpd.VerifyOutcome) { m.verifies.inc(o) }

// SignedIn counts a sign-in attempt.
func (m *Metrics) SignedIn(method signin.Method, o signin.SignInOutcome) { m.signIns.inc(method, o) }

// Delivered counts a delivery attempt.
func (m *Metrics) Delivered(r mail.Result) { m.mail.inc(r) }

// signInKey is one sign-in series' labels.
type signInKey struct {
	method  signin.Method
	outcome signin.SignInOutcome
}

// signInCounters are otpd_sign_ins_total's children, resolved once for
// every method and outcome.
type signInCounters struct {
	vec  *prometheus.CounterVec
	kids map[signInKey]prometheus.Counter
}

func newSignInCounters(reg prometheus.Registerer) *signInCounters {
	c := &signInCounters{vec: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "otpd_sign_ins_total",
		Help: "Sign-in attempts, by method (code, password, reset) and outcome: ok, code_needed (a right password that needs a code too), wrong, expired, refused (a limit, a lockout, the breaker or a busy server), invalid (a malformed request), error.",
	}, []string{"method", "outcome"}), kids: map[signInKey]prometheus.Counter{}}
	for _, method := range signin.Methods {
		for _, o := range signin.SignInOutcomes {
			c.kids[signInKey{method, o}] = c.vec.WithLabelValues(string(method), string(o))
		}
	}
	reg.MustRegister(c.vec)
	return c
}

func (c *signInCounters) inc(method signin.Method, o signin.SignInOutcome) {
	if k, ok := c.kids[signInKey{method, o}]; ok {
		k.Inc()
		return
	}
	c.vec.WithLabelValues(string(method), string(o)).Inc()
}
