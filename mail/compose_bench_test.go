package mail_test

import (
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/mail"
)

// The benchmarks measure what the outbox worker does to a code message
// before signing it: compose it from the templates (text and HTML), and
// render it as MIME. Run them with
//
//	go test -run XXX -bench . -benchmem ./mail/

func BenchmarkCompose(b *testing.B) {
	c := composer()
	if err := c.Check(); err != nil {
		b.Fatal(err)
	}
	m, d := codeMessage(otpd.MessageCode), codeData("123456789", otpd.PurposeSignIn)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Compose(m, d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	e, err := composer().Compose(codeMessage(otpd.MessageCode), codeData("123456789", otpd.PurposeSignIn))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mail.Render(e); err != nil {
			b.Fatal(err)
		}
	}
}
