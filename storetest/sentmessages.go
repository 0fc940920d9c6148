package storetest

import (
	"testing"
	"time"

	"github.com/otpd/otpd"
)

var sentMessageTests = []test{
	{"FoundByRefAfterDelivery", testRefAfterDelivery},
	{"SharedRef", testSharedRef},
}

// A message's reference finds what it was, to whom, when and about which
// challenge, after its delivery ended and its payload was wiped: a person
// checks a message they hold, which is always after it was sent.
func testRefAfterDelivery(t *testing.T, s otpd.Store) {
	req := codeRequest(newID("rosa")+"@example.com", "", t0)
	req.Message.Ref = "K7QP-2MXD"
	mustRequest(t, s, req)
	got := claim(t, s, t0, time.Minute, 10)
	if len(got) != 1 || got[0].Ref != "K7QP-2MXD" {
		t.Fatalf("claimed %+v, want the message with its reference", got)
	}
	if err := s.FinishMessage(t.Context(), req.Message.ID, otpd.MessageSent, t0.Add(time.Second), ""); err != nil {
		t.Fatal(err)
	}
	msgs, err := s.MessagesByRef(t.Context(), "K7QP-2MXD")
	if err != nil {
		t.Fatal(err)
	}
	want := otpd.SentMessage{Ref: "K7QP-2MXD", MessageID: req.Message.MessageID, Kind: otpd.MessageCode,
		To: req.Message.To, CreatedAt: t0, State: otpd.MessageSent, ChallengeID: req.Challenge.ID}
	if len(msgs) != 1 || msgs[0] != want {
		t.Fatalf("MessagesByRef = %+v, want [%+v]", msgs, want)
	}
	if msgs, err := s.MessagesByRef(t.Context(), "K7QP-2MXE"); err != nil || len(msgs) != 0 {
		t.Errorf("an unknown reference found %+v, %v; want none and no error", msgs, err)
	}
	// A message queued without a reference is found by none, not by "".
	old := codeRequest(newID("rosa")+"@example.com", "", t0)
	mustRequest(t, s, old)
	if msgs, err := s.MessagesByRef(t.Context(), ""); err != nil || len(msgs) != 0 {
		t.Errorf(`MessagesByRef("") = %+v, %v; want none`, msgs, err)
	}
}

// Two messages may share a reference (40 bits of a MAC): both are found,
// newest first, for the Message-ID to tell apart.
func testSharedRef(t *testing.T, s otpd.Store) {
	var ids []string
	for i := range 2 {
		req := codeRequest(newID("rosa")+"@example.com", "", t0.Add(time.Duration(i)*time.Minute))
		req.Message.Ref = "AAAA-0000"
		mustRequest(t, s, req)
		ids = append(ids, req.Message.MessageID)
	}
	msgs, err := s.MessagesByRef(t.Context(), "AAAA-0000")
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].MessageID != ids[1] || msgs[1].MessageID != ids[0] {
		t.Errorf("MessagesByRef = %+v, want %v newest first", msgs, ids)
	}
}
