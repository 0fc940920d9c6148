package geotest_test

import (
	"github.com/otpd/otpd"

	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/otpd/otpd/risk/geotest"
)

// fatalTB records the message of the Fatalf that stops a test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// A database that says something else than the test meant would make the
// test pass or fail for the wrong reason, so Write refuses it.
func TestWriteRefusesWhatWouldNotReadBack(t *testing.T) {
	for _, tc := range []struct {
		name   string
		places map[string]otpd.Place
		want   string
	}{
		{"private range", map[string]otpd.Place{"10.0.0.0/8": geotest.London}, "never located"},
		{"coordinates without a city", map[string]otpd.Place{"203.0.113.0/24": {Country: "GB", Lat: 51.5, Lon: -0.1, HasCoords: true}}, "coordinates need a city"},
		{"city without a country", map[string]otpd.Place{"203.0.113.0/24": {City: "London"}}, "a place needs a country"},
		{"not a prefix", map[string]otpd.Place{"203.0.113.0/33": geotest.London}, "203.0.113.0/33"},
		{"the same prefix twice", map[string]otpd.Place{"203.0.113.0/24": geotest.London, "203.0.113.9/24": geotest.Lagos}, "given twice"},
	} {
		tb := &fatalTB{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			geotest.Write(tb, t.TempDir(), tc.places)
		}()
		<-done
		if !strings.Contains(tb.msg, tc.want) {
			t.Errorf("%s: Write failed with %q, want a message saying %q", tc.name, tb.msg, tc.want)
		}
	}
}
