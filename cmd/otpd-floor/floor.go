package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"math/big"
	"net/http"
	"net/mail"
	"path/filepath"
	"time"

	"github.com/otpd/otpd/dkim"
)

// floor is the two endpoints and what they need.
type floor struct {
	store  *store
	signer *dkim.Signer
	// sent receives each signed message; nil discards it, as the floor
	// does when it runs: the message's cost is in making it.
	sent func(raw []byte)
}

func open(ctx context.Context, dir string) (*floor, error) {
	s, err := openStore(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	key, err := loadKey(filepath.Join(dir, "dkim-rsa.key"))
	if err != nil {
		s.db.Close()
		return nil, fmt.Errorf("dkim key: %w", err)
	}
	return &floor{store: s, signer: &dkim.Signer{Domain: "floor.test", Selector: "floor", RSA: key}}, nil
}

func (f *floor) close() error { return f.store.db.Close() }

// loadKey reads the RSA-2048 key, making it on first start as otpd does.
func loadKey(path string) (crypto.Signer, error) {
	key, err := dkim.LoadKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	rsaKey, err := dkim.GenerateRSA()
	if err != nil {
		return nil, err
	}
	return rsaKey, dkim.WriteKey(path, rsaKey)
}

func (f *floor) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /request", f.request)
	mux.HandleFunc("POST /verify", f.verify)
	return mux
}

// maxBody bounds what a request may send; both take a few dozen bytes.
const maxBody = 4 << 10

func (f *floor) request(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&in); err != nil {
		http.Error(w, "want {\"email\": ...}", http.StatusBadRequest)
		return
	}
	to, err := mail.ParseAddress(in.Email)
	if err != nil {
		http.Error(w, "email: not an address", http.StatusBadRequest)
		return
	}
	n, err := rand.Int(rand.Reader, big.NewInt(codeUpperBound))
	if err != nil {
		fail(w, err)
		return
	}
	id, code, now := rand.Text(), fmt.Sprintf("%0*d", codeDigits, n), time.Now()
	if err := f.store.request(r.Context(), id, to.Address, code, now); err != nil {
		fail(w, err)
		return
	}
	raw, err := f.signer.Sign(message(id, to.Address, code, now))
	if err != nil {
		fail(w, err)
		return
	}
	if f.sent != nil {
		f.sent(raw)
	}
	answer(w, map[string]string{"flow_id": id, "code": code})
}

func (f *floor) verify(w http.ResponseWriter, r *http.Request) {
	var in struct {
		FlowID string `json:"flow_id"`
		Code   string `json:"code"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&in); err != nil || in.FlowID == "" {
		http.Error(w, "want {\"flow_id\": ..., \"code\": ...}", http.StatusBadRequest)
		return
	}
	token := rand.Text()
	hash := sha256.Sum256([]byte(token))
	err := f.store.verify(r.Context(), in.FlowID, in.Code, hash[:], time.Now())
	if errors.Is(err, errWrongCode) {
		http.Error(w, "wrong or spent code", http.StatusBadRequest)
		return
	}
	if err != nil {
		fail(w, err)
		return
	}
	answer(w, map[string]string{"session_token": token})
}

// message is a short code email with CRLF line endings, carrying the
// headers otpd's signer covers.
func message(id, to, code string, now time.Time) []byte {
	return fmt.Appendf(nil, "From: Floor <no-reply@floor.test>\r\nTo: <%s>\r\nSubject: Your sign-in code\r\n"+
		"Date: %s\r\nMessage-ID: <%s@floor.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
		"Your code:\r\n\r\n%s\r\n\r\nIt expires in 10 minutes. Nobody will ever ask you for it.\r\n",
		to, now.UTC().Format(time.RFC1123Z), id, code)
}

func answer(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	log.Printf("otpd-floor: %v", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}
