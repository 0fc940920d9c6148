package passcode_test

import (
	"bytes"
	"testing"

	"github.com/otpd/otpd/passcode"
)

// The benchmarks measure what every code costs the server besides the
// store: drawing it, binding it to its challenge, and sealing the outbox
// payload that carries it. Run them with
//
//	go test -run XXX -bench . -benchmem ./passcode/

func benchBook(b *testing.B) *passcode.Book {
	b.Helper()
	book, err := passcode.New(bytes.Repeat([]byte{7}, 32), 9)
	if err != nil {
		b.Fatal(err)
	}
	return book
}

func BenchmarkNew(b *testing.B) {
	book := benchBook(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := book.New(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMAC(b *testing.B) {
	book := benchBook(b)
	b.ReportAllocs()
	for b.Loop() {
		book.MAC("jq3kz5a2y7n4xv6wrb8c0d1e2f", "123456789")
	}
}

// A sealed payload is the JSON of a code message's data: a few hundred
// bytes.
func BenchmarkSealOpen(b *testing.B) {
	book := benchBook(b)
	payload := bytes.Repeat([]byte("x"), 400)
	b.ReportAllocs()
	for b.Loop() {
		sealed, err := book.Seal(payload)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := book.Open(sealed); err != nil {
			b.Fatal(err)
		}
	}
}
