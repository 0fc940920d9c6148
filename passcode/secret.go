package passcode

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LoadOrCreateSecret reads the server secret from path, a file holding at
// least MinSecretLen bytes as hex. When the file does not exist it writes a
// new random secret there, readable by the owner only, and reports created.
// Losing the file invalidates codes in flight and queued messages, nothing
// else: sessions are hashed without it.
func LoadOrCreateSecret(path string) (secret []byte, created bool, err error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createSecret(path)
	}
	if err != nil {
		return nil, false, fmt.Errorf("passcode: read secret: %w", err)
	}
	secret, err = hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, false, fmt.Errorf("passcode: secret file %s is not hex: %w", path, err)
	}
	if len(secret) < MinSecretLen {
		return nil, false, fmt.Errorf("passcode: secret file %s holds %d bytes, want at least %d", path, len(secret), MinSecretLen)
	}
	return secret, false, nil
}

func createSecret(path string) ([]byte, bool, error) {
	secret := make([]byte, MinSecretLen)
	if _, err := rand.Read(secret); err != nil {
		return nil, false, fmt.Errorf("passcode: new secret: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("passcode: new secret: %w", err)
	}
	// O_EXCL: two servers starting on one data directory must not each
	// write their own secret.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		s, _, err := LoadOrCreateSecret(path)
		return s, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("passcode: new secret: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(secret) + "\n"); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("passcode: write secret: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, false, fmt.Errorf("passcode: write secret: %w", err)
	}
	return secret, true, nil
}
