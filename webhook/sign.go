// Package webhook delivers the webhooks the store queues with their
// events (otpd.WebhookStore): it signs each per the Standard Webhooks
// specification and POSTs it to its endpoint, at least once, retrying
// with backoff.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"time"
)

// Headers of a delivery, per Standard Webhooks.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// Sign returns the webhook-signature value for a webhook: "v1," and the
// base64 HMAC-SHA256, under key, of the id, the timestamp in Unix
// seconds and the body, joined by dots. The timestamp is the attempt's,
// so that a receiver can refuse a replayed old delivery; the id is the
// same on every attempt.
func Sign(key []byte, id string, at time.Time, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(at.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// DeriveKey returns the signing key of endpoint id for an endpoint
// configured without a secret: an HMAC of the id under the server
// secret, so that every node sharing the secret signs alike and the
// configuration file need hold no secret.
func DeriveKey(serverSecret []byte, id string) []byte {
	mac := hmac.New(sha256.New, serverSecret)
	mac.Write([]byte("otpd webhook signing key\x00" + id))
	return mac.Sum(nil)
}

// FormatSecret writes a key in the Standard Webhooks form a receiver's
// library reads: whsec_ and its base64.
func FormatSecret(key []byte) string {
	return "whsec_" + base64.StdEncoding.EncodeToString(key)
}
