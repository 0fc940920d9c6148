package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

var forgeryTests = []test{
	{"KeepNewest", testKeepForgeries},
}

// Reports come back newest first, and only the newest keep stay.
func testKeepForgeries(t *testing.T, s otpd.Store) {
	for i := range 5 {
		if err := s.KeepForgery(t.Context(), t0.Add(time.Duration(i)*time.Minute), []byte(fmt.Sprint("sealed ", i)), 3); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Forgeries(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || string(got[0]) != "sealed 4" || string(got[2]) != "sealed 2" {
		t.Errorf("Forgeries = %q, want the newest three, newest first", got)
	}
	if got, err := s.Forgeries(t.Context(), 1); err != nil || len(got) != 1 || string(got[0]) != "sealed 4" {
		t.Errorf("Forgeries(1) = %q, %v", got, err)
	}
	if err := s.KeepForgery(t.Context(), t0, []byte("x"), 0); err == nil {
		t.Error("keep 0 was accepted")
	}
}
