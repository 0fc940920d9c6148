package otpd

import "time"

// Signing algorithms for ID tokens.
const (
	AlgES256 = "ES256"
	AlgRS256 = "RS256"
)

// SigningKey is a key that signs ID tokens. Its private part is sealed
// under a key derived from the server secret, so a copy of the database
// signs nothing; Public is its JWK, for the key set apps fetch. A key is
// published before it signs (SignsFrom), so that apps holding a cached
// key set know it, and kept published until every token it signed has
// expired (ExpiresAt).
type SigningKey struct {
	ID        string
	Alg       string
	Sealed    []byte
	Public    []byte
	CreatedAt time.Time
	SignsFrom time.Time
	// ExpiresAt is zero until a newer key replaces this one.
	ExpiresAt time.Time
}

// Published reports whether the key belongs in the key set at now.
func (k SigningKey) Published(now time.Time) bool {
	return k.ExpiresAt.IsZero() || now.Before(k.ExpiresAt)
}

// Signing picks the key that signs at now from keys: the newest whose
// SignsFrom has come. It reports false when none has.
func Signing(keys []SigningKey, now time.Time) (SigningKey, bool) {
	var best SigningKey
	found := false
	for _, k := range keys {
		if !k.Published(now) || now.Before(k.SignsFrom) {
			continue
		}
		if !found || k.SignsFrom.After(best.SignsFrom) || (k.SignsFrom.Equal(best.SignsFrom) && k.ID > best.ID) {
			best, found = k, true
		}
	}
	return best, found
}
