package oidcop

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/passcode"
)

// keyRefresh is how long a node trusts its cached keys before reading
// them again, so that a key another node rotated in is published and
// used here within a minute, long before it signs (KeyPrepublish).
const keyRefresh = time.Minute

// keyLabel names the use of the server secret that seals signing keys.
const keyLabel = "otpd/v1/oidc-signing-key"

// keyring holds the signing keys every node shares through the store:
// it makes the first one, opens them, caches them and rotates them.
type keyring struct {
	store  otpd.SigningKeyStore
	sealer *passcode.Sealer
	clock  otpd.Clock
	alg    string
	// every, prepublish and keep are the rotation's periods; keep is how
	// long a replaced key stays published after its successor signs.
	every, prepublish, keep time.Duration

	mu      sync.Mutex
	keys    []openKey
	readAt  time.Time
	signing openKey
}

// openKey is a stored key with its private part opened.
type openKey struct {
	stored otpd.SigningKey
	priv   crypto.Signer
	public jose.JSONWebKey
}

func (k openKey) SignatureAlgorithm() jose.SignatureAlgorithm {
	return jose.SignatureAlgorithm(k.stored.Alg)
}
func (k openKey) Key() any   { return k.priv }
func (k openKey) ID() string { return k.stored.ID }

// publicKey is a published key as the key set lists it.
type publicKey struct{ k openKey }

func (p publicKey) ID() string { return p.k.stored.ID }
func (p publicKey) Algorithm() jose.SignatureAlgorithm {
	return jose.SignatureAlgorithm(p.k.stored.Alg)
}
func (p publicKey) Use() string { return "sig" }
func (p publicKey) Key() any    { return p.k.public.Key }

// ensure makes the first key when no key signs yet (every node races at
// its first start; the store lets one win) and loads the keys.
func (kr *keyring) ensure(ctx context.Context) error {
	candidate, err := kr.newKey(kr.clock.Now())
	if err != nil {
		return err
	}
	keys, err := kr.store.EnsureSigningKey(ctx, candidate, kr.clock.Now())
	if err != nil {
		return fmt.Errorf("oidcop: first signing key: %w", err)
	}
	return kr.load(keys)
}

// rotate adds the next key when the newest is older than the rotation
// period; it is published at once and signs after prepublish, so apps
// holding a cached key set have had time to learn it.
func (kr *keyring) rotate(ctx context.Context) (bool, error) {
	now := kr.clock.Now()
	next, err := kr.newKey(now)
	if err != nil {
		return false, err
	}
	next.SignsFrom = now.Add(kr.prepublish)
	rotated, err := kr.store.RotateSigningKey(ctx, next, now, kr.every, kr.keep)
	if err != nil {
		return false, fmt.Errorf("oidcop: rotate signing key: %w", err)
	}
	return rotated, kr.refresh(ctx, true)
}

// current returns the key that signs now, reading the store again when
// the cache is older than keyRefresh.
func (kr *keyring) current(ctx context.Context) (openKey, error) {
	if err := kr.refresh(ctx, false); err != nil {
		return openKey{}, err
	}
	kr.mu.Lock()
	defer kr.mu.Unlock()
	if kr.signing.priv == nil {
		return openKey{}, fmt.Errorf("oidcop: no signing key at %s", kr.clock.Now().Format(time.RFC3339))
	}
	return kr.signing, nil
}

// published returns the keys apps may see signatures of.
func (kr *keyring) published(ctx context.Context) ([]op.Key, error) {
	if err := kr.refresh(ctx, false); err != nil {
		return nil, err
	}
	kr.mu.Lock()
	defer kr.mu.Unlock()
	now := kr.clock.Now()
	var out []op.Key
	for _, k := range kr.keys {
		if k.stored.Published(now) {
			out = append(out, publicKey{k})
		}
	}
	return out, nil
}

func (kr *keyring) refresh(ctx context.Context, force bool) error {
	kr.mu.Lock()
	now := kr.clock.Now()
	fresh := !force && !kr.readAt.IsZero() && now.Sub(kr.readAt) < keyRefresh && !now.Before(kr.readAt)
	if fresh {
		// A prepublished key starts signing at its own time, within the
		// cache's life.
		kr.pick()
	}
	kr.mu.Unlock()
	if fresh {
		return nil
	}
	keys, err := kr.store.SigningKeys(ctx, now)
	if err != nil {
		return fmt.Errorf("oidcop: signing keys: %w", err)
	}
	return kr.load(keys)
}

// load opens keys and makes them the cache.
func (kr *keyring) load(keys []otpd.SigningKey) error {
	opened := make([]openKey, 0, len(keys))
	for _, k := range keys {
		ok, err := kr.open(k)
		if err != nil {
			return err
		}
		opened = append(opened, ok)
	}
	kr.mu.Lock()
	defer kr.mu.Unlock()
	kr.keys, kr.readAt = opened, kr.clock.Now()
	kr.pick()
	return nil
}

// pick chooses the signing key among the cached ones; kr.mu is held.
func (kr *keyring) pick() {
	stored := make([]otpd.SigningKey, len(kr.keys))
	for i, k := range kr.keys {
		stored[i] = k.stored
	}
	s, found := otpd.Signing(stored, kr.clock.Now())
	if !found {
		kr.signing = openKey{}
		return
	}
	for _, k := range kr.keys {
		if k.stored.ID == s.ID {
			kr.signing = k
		}
	}
}

func (kr *keyring) open(k otpd.SigningKey) (openKey, error) {
	der, err := kr.sealer.Open(k.Sealed)
	if err != nil {
		return openKey{}, fmt.Errorf("oidcop: open signing key %s (was the server secret changed?): %w", k.ID, err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return openKey{}, fmt.Errorf("oidcop: parse signing key %s: %w", k.ID, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return openKey{}, fmt.Errorf("oidcop: signing key %s is a %T", k.ID, priv)
	}
	var pub jose.JSONWebKey
	if err := pub.UnmarshalJSON(k.Public); err != nil {
		return openKey{}, fmt.Errorf("oidcop: public key %s: %w", k.ID, err)
	}
	return openKey{stored: k, priv: signer, public: pub}, nil
}

// newKey generates a key of the configured algorithm, sealed, signing
// from now.
func (kr *keyring) newKey(now time.Time) (otpd.SigningKey, error) {
	var (
		priv crypto.Signer
		err  error
	)
	switch kr.alg {
	case otpd.AlgES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case otpd.AlgRS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		return otpd.SigningKey{}, fmt.Errorf("oidcop: signing algorithm %q is neither ES256 nor RS256", kr.alg)
	}
	if err != nil {
		return otpd.SigningKey{}, fmt.Errorf("oidcop: generate %s key: %w", kr.alg, err)
	}
	id := newID()
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return otpd.SigningKey{}, fmt.Errorf("oidcop: encode signing key: %w", err)
	}
	sealed, err := kr.sealer.Seal(der)
	if err != nil {
		return otpd.SigningKey{}, err
	}
	public, err := (&jose.JSONWebKey{Key: priv.Public(), KeyID: id, Algorithm: kr.alg, Use: "sig"}).MarshalJSON()
	if err != nil {
		return otpd.SigningKey{}, fmt.Errorf("oidcop: encode public key: %w", err)
	}
	return otpd.SigningKey{ID: id, Alg: kr.alg, Sealed: sealed, Public: public, CreatedAt: now, SignsFrom: now}, nil
}
