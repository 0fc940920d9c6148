package signin_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/limit"
	"github.com/otpd/otpd/passcode"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/sqlite"
)

// The benchmarks measure the engine's side of a sign-in over a real
// SQLite store, with the default limits and no delivery: what the
// server's POST /api/v1/sign-in, POST .../verify and each authenticated
// request cost below HTTP. Run them with
//
//	go test -run XXX -bench . -benchmem ./signin/

// keptCodes is a passcode.Book that keeps the last code it made, so that
// a benchmark can verify codes without delivering them. One goroutine
// at a time.
type keptCodes struct {
	*passcode.Book
	last string
}

func (k *keptCodes) New() (string, error) {
	code, err := k.Book.New()
	k.last = code
	return code, err
}

func benchEngine(b *testing.B) (*signin.Engine, *keptCodes) {
	b.Helper()
	store, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "otpd.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	book, err := passcode.New(bytes.Repeat([]byte{1}, 32), 9)
	if err != nil {
		b.Fatal(err)
	}
	codes := &keptCodes{Book: book}
	e := signin.New(signin.Deps{Store: store, Codes: codes, Clock: otpd.SystemClock{}, Limiter: limit.NewMemory()}, testPolicy())
	return e, codes
}

var benchWho = signin.Requester{IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"}

// flowCode is one asked-for code, not yet verified.
type flowCode struct{ flow, code string }

func askCodes(b *testing.B, e *signin.Engine, codes *keptCodes, n int) []flowCode {
	b.Helper()
	out := make([]flowCode, n)
	for i := range out {
		f, err := e.SignIn(b.Context(), fmt.Sprintf("bench%d@example.com", i), benchWho)
		if err != nil {
			b.Fatal(err)
		}
		out[i] = flowCode{f.ID, codes.last}
	}
	return out
}

// BenchmarkSignIn asks for a first code for a new address each time.
func BenchmarkSignIn(b *testing.B) {
	e, _ := benchEngine(b)
	var n int
	b.ReportAllocs()
	for b.Loop() {
		n++
		if _, err := e.SignIn(b.Context(), fmt.Sprintf("new%d@example.com", n), benchWho); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify verifies a right code each time, creating the account
// and its session.
func BenchmarkVerify(b *testing.B) {
	e, codes := benchEngine(b)
	asked := askCodes(b, e, codes, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := e.Verify(b.Context(), asked[i].flow, asked[i].code, benchWho); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticate checks a session token, as every authenticated
// request does.
func BenchmarkAuthenticate(b *testing.B) {
	e, codes := benchEngine(b)
	asked := askCodes(b, e, codes, 1)
	in, err := e.Verify(b.Context(), asked[0].flow, asked[0].code, benchWho)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Authenticate(b.Context(), in.Token); err != nil {
			b.Fatal(err)
		}
	}
}
