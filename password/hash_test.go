package password_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/otpd/otpd/password"
)

// cheap keeps most tests fast; DefaultParams are tested where they matter.
var cheap = password.Hasher{Params: password.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}}

func TestHashFormat(t *testing.T) {
	encoded, err := password.Hasher{}.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	prefix := "$argon2id$v=19$m=19456,t=2,p=1$"
	if !strings.HasPrefix(encoded, prefix) {
		t.Errorf("hash %q does not start with %q", encoded, prefix)
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || len(parts[4]) != 22 || len(parts[5]) != 43 {
		t.Errorf("hash %q: want a 16-byte salt and a 32-byte key in unpadded base64", encoded)
	}
}

func TestVerifyRoundTrip(t *testing.T) {
	for _, pw := range []string{"correct horse battery staple", "", "пароль на русском", "🔑 emoji key 🔑"} {
		encoded, err := cheap.Hash(pw)
		if err != nil {
			t.Fatal(err)
		}
		ok, rehash, err := cheap.Verify(encoded, pw)
		if !ok || rehash || err != nil {
			t.Errorf("Verify(Hash(%q)) = %v, %v, %v; want true, false, nil", pw, ok, rehash, err)
		}
	}
}

func TestVerifyWrongPassword(t *testing.T) {
	encoded, _ := cheap.Hash("correct horse battery staple")
	for _, pw := range []string{"correct horse battery stapl", "Correct horse battery staple", "correct horse battery staple ", ""} {
		ok, rehash, err := cheap.Verify(encoded, pw)
		if ok || rehash || err != nil {
			t.Errorf("Verify(%q) = %v, %v, %v; want false, false, nil", pw, ok, rehash, err)
		}
	}
}

// A password typed as "é" on one keyboard and as "e" + combining accent on
// another is the same password to the person typing it.
func TestVerifyNormalisesUnicode(t *testing.T) {
	encoded, _ := cheap.Hash("caf\u00e9 au lait, s'il vous pla\u00eet")
	ok, _, err := cheap.Verify(encoded, "cafe\u0301 au lait, s'il vous plai\u0302t")
	if !ok || err != nil {
		t.Errorf("decomposed spelling: Verify = %v, %v; want a match", ok, err)
	}
}

func TestVerifyAsksForRehashWhenParamsChange(t *testing.T) {
	encoded, _ := cheap.Hash("correct horse battery staple")
	stronger := cheap
	stronger.Params.Iterations = 2

	ok, rehash, err := stronger.Verify(encoded, "correct horse battery staple")
	if !ok || !rehash || err != nil {
		t.Errorf("Verify with new params = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
	ok, rehash, _ = stronger.Verify(encoded, "wrong password entirely")
	if ok || rehash {
		t.Errorf("wrong password with new params = %v, %v; want false, false", ok, rehash)
	}

	longerKey := cheap
	longerKey.Params.KeyLen = 64
	if _, rehash, _ := longerKey.Verify(encoded, "correct horse battery staple"); !rehash {
		t.Error("a different key length did not ask for a rehash")
	}
}

func TestZeroHasherUsesDefaultParams(t *testing.T) {
	encoded, _ := password.Hasher{Params: password.DefaultParams}.Hash("correct horse battery staple")
	ok, rehash, err := password.Hasher{}.Verify(encoded, "correct horse battery staple")
	if !ok || rehash || err != nil {
		t.Errorf("zero Hasher on a DefaultParams hash = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestHashesDifferAndHideThePassword(t *testing.T) {
	const pw = "correct horse battery staple"
	a, _ := cheap.Hash(pw)
	b, _ := cheap.Hash(pw)
	if a == b {
		t.Errorf("two hashes of one password are equal: %q", a)
	}
	for _, h := range []string{a, b} {
		if strings.Contains(h, pw) || strings.Contains(h, "horse") {
			t.Errorf("hash %q contains the password", h)
		}
	}
}

func TestVerifyMalformed(t *testing.T) {
	valid, _ := cheap.Hash("correct horse battery staple")
	parts := strings.Split(valid, "$")
	with := func(i int, s string) string {
		p := append([]string(nil), parts...)
		p[i] = s
		return strings.Join(p, "$")
	}
	for name, encoded := range map[string]string{
		"empty":              "",
		"plain text":         "correct horse battery staple",
		"bcrypt":             "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":            with(1, "argon2i"),
		"no version":         strings.Replace(valid, "$v=19", "", 1),
		"version 16":         with(2, "v=16"),
		"params reordered":   with(3, "t=1,m=64,p=1"),
		"params missing":     with(3, "m=64,t=1"),
		"param not a number": with(3, "m=64,t=x,p=1"),
		"leading zero":       with(3, "m=064,t=1,p=1"),
		"negative":           with(3, "m=64,t=-1,p=1"),
		"zero iterations":    with(3, "m=64,t=0,p=1"),
		"zero lanes":         with(3, "m=64,t=1,p=0"),
		"lanes overflow":     with(3, "m=64,t=1,p=256"),
		"memory too small":   with(3, "m=7,t=1,p=1"),
		"memory 4 TiB":       with(3, "m=4294967295,t=1,p=1"),
		"iterations 1e9":     with(3, "m=64,t=1000000000,p=1"),
		"salt not base64":    with(4, "!!!!"),
		"salt padded":        with(4, parts[4]+"=="),
		"salt too short":     with(4, "AAAA"),
		"hash not base64":    with(5, "%%%"),
		"hash too short":     with(5, "AAAA"),
		"hash empty":         with(5, ""),
		"extra field":        valid + "$AAAA",
		"truncated":          valid[:len(valid)/2],
	} {
		ok, rehash, err := cheap.Verify(encoded, "correct horse battery staple")
		if ok || rehash || err == nil {
			t.Errorf("%s: Verify = %v, %v, %v; want an error", name, ok, rehash, err)
			continue
		}
		if encoded != "" && strings.Contains(err.Error(), encoded) {
			t.Errorf("%s: error %q repeats the stored hash", name, err)
		}
	}
}

func TestHashRefusesBadParams(t *testing.T) {
	for name, p := range map[string]password.Params{
		"no iterations": {Memory: 64, Iterations: 0, Parallelism: 1, SaltLen: 16, KeyLen: 32},
		"no lanes":      {Memory: 64, Iterations: 1, Parallelism: 0, SaltLen: 16, KeyLen: 32},
		"short salt":    {Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 4, KeyLen: 32},
		"short key":     {Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 8},
		"huge memory":   {Memory: 1 << 30, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32},
	} {
		if h, err := (password.Hasher{Params: p}).Hash("correct horse battery staple"); err == nil {
			t.Errorf("%s: Hash = %q, want an error", name, h)
		}
	}
}

// Dummy must cost what a Verify costs, or the time of an answer tells
// which addresses have a password. argon2id's cost is its memory, which
// (unlike time) can be measured without flakiness on a busy machine.
func TestDummyDoesTheWorkOfVerify(t *testing.T) {
	h := password.Hasher{}
	encoded, _ := h.Hash("correct horse battery staple")
	verify := allocated(func() { _, _, _ = h.Verify(encoded, "a wrong guess at it") })
	dummy := allocated(func() { h.Dummy("a wrong guess at it") })
	if min := uint64(password.DefaultParams.Memory) * 1024; verify < min || dummy < min {
		t.Fatalf("Verify allocated %d bytes and Dummy %d; want at least %d each", verify, dummy, min)
	}
	if dummy < verify*9/10 {
		t.Errorf("Dummy allocated %d bytes, Verify %d: Dummy does less work", dummy, verify)
	}
}

func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func BenchmarkHash(b *testing.B) {
	h := password.Hasher{Params: password.DefaultParams}
	for b.Loop() {
		if _, err := h.Hash("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	h := password.Hasher{Params: password.DefaultParams}
	encoded, _ := h.Hash("correct horse battery staple")
	for b.Loop() {
		if ok, _, _ := h.Verify(encoded, "correct horse battery staple"); !ok {
			b.Fatal("no match")
		}
	}
}
