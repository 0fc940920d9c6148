// Package pickup hands otpd's mail to a local MTA through a directory: each
// message becomes one .eml file that the MTA watches for and sends. It
// serves people who already relay everything through their own MTA and
// would rather not give otpd SMTP credentials.
package pickup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/mail"
)

// fileMode lets the MTA's group read messages; they hold codes, so
// nobody else may.
const fileMode = 0o640

// Mailer is an otpd.Mailer that writes each message to Dir as a complete
// RFC 5322 file, named after its Message-ID. Delivery is at-least-once,
// so the same message may be written again; it then replaces its own
// file instead of making a second message.
//
// Set the fields before the first Send; Send is then safe for concurrent
// use.
type Mailer struct {
	// Dir must exist and be on one file system with its temporary files,
	// which are made in it, so the final rename is atomic.
	Dir string
	// Sign, when set, signs each rendered message (DKIM) before it is
	// written.
	Sign func(raw []byte) ([]byte, error)
}

// Send renders e, signs it and writes it to Dir. A watching MTA never sees
// a partial file: the message is written to a dot-file, flushed to disk,
// and renamed into place. Render and sign failures wrap
// *otpd.PermanentError; file-system failures (a full disk, say) are plain
// errors and are retried.
func (m *Mailer) Send(ctx context.Context, e otpd.Email) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pickup: write %s: %w", e.MessageID, err)
	}
	raw, err := mail.Render(e)
	if err == nil && m.Sign != nil {
		raw, err = m.Sign(raw)
	}
	if err != nil {
		return &otpd.PermanentError{Err: fmt.Errorf("pickup: write %s: %w", e.MessageID, err)}
	}
	if err := m.write(FileName(e.MessageID), raw); err != nil {
		return fmt.Errorf("pickup: write %s: %w", e.MessageID, err)
	}
	return nil
}

func (m *Mailer) write(name string, raw []byte) error {
	// The leading dot and the suffix keep MTAs that pick up *.eml, or
	// skip hidden files, away from the file while it is written.
	f, err := os.CreateTemp(m.Dir, "."+name+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = writeSynced(f, raw)
	if err == nil {
		err = os.Rename(tmp, filepath.Join(m.Dir, name))
	}
	if err != nil {
		_ = os.Remove(tmp) // best effort; the error that matters is err
		return err
	}
	// The message is "sent" once Send returns; the rename must survive
	// a crash too.
	return syncDir(m.Dir)
}

func writeSynced(f *os.File, raw []byte) error {
	_, err := f.Write(raw)
	if err == nil {
		err = f.Chmod(fileMode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// maxStem bounds the readable part of a file name, well under the
// 255-byte limit of common file systems.
const maxStem = 100

// FileName is the file a message with this Message-ID is written to: the
// ID with every character outside [A-Za-z0-9._-] replaced by "_", no
// leading dot, then a short hash of the exact ID, so that two IDs that
// read alike after replacing never share a file, and ".eml".
func FileName(messageID string) string {
	id := strings.TrimSuffix(strings.TrimPrefix(messageID, "<"), ">")
	stem := []byte(id)
	for i, c := range stem {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			stem[i] = '_'
		}
	}
	if len(stem) > maxStem {
		stem = stem[:maxStem]
	}
	if len(stem) > 0 && stem[0] == '.' {
		stem[0] = '_'
	}
	sum := sha256.Sum256([]byte(messageID))
	return string(stem) + "-" + hex.EncodeToString(sum[:4]) + ".eml"
}
