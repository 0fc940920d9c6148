package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/otpd/otpd/buildinfo"
	"github.com/otpd/otpd/config"
	"github.com/otpd/otpd/sqlite"
)

const backupUsage = `Usage: otpd backup --to FILE [flags]

Copies the SQLite store and the secrets it needs into FILE, a tar archive,
while the server runs: the database as of one moment (SQLite's VACUUM
INTO, one read transaction), the server secret and the DKIM keys. FILE
holds the server secret: it is written 0600, and must be kept as secret as
the data directory. It is written under a temporary name and appears
whole, or not at all; an existing FILE is never overwritten.

"otpd restore --from FILE" puts it into an empty data directory. With
PostgreSQL, back the database up with pg_dump instead, and copy the secret
and DKIM key files beside it.

Flags:
`

// The archive: a manifest first, then the files, each under a fixed
// name whatever path the configuration gives it, so that a backup
// restores into any layout.
const (
	manifestName  = "otpd-backup.json"
	archiveDB     = "otpd.db"
	archiveSecret = "secret.key"
	archiveDKIM   = "dkim-rsa.key"
	archiveEdDKIM = "dkim-ed25519.key"
	backupFormat  = 1
)

// manifest says what a backup holds and lets restore check every file.
type manifest struct {
	Format      int               `json:"format"`
	CreatedAt   time.Time         `json:"created_at"`
	OtpdVersion string            `json:"otpd_version"`
	SHA256      map[string]string `json:"sha256"`
}

// archived is one file of a backup: its name in the archive and where
// the configuration keeps it.
type archived struct {
	name, path string
	required   bool
}

// backupFiles are the files a backup holds for cfg, the database first.
func backupFiles(cfg config.Config) []archived {
	_, db := cfg.Store()
	files := []archived{
		{archiveDB, db, true},
		{archiveSecret, cfg.SecretPath(), true},
		// Made on the first start; a server that never started has
		// none, nor any mail signed with it.
		{archiveDKIM, cfg.DKIMKeyPath(), cfg.DKIM.KeyFile != ""},
	}
	if cfg.DKIM.Ed25519KeyFile != "" {
		files = append(files, archived{archiveEdDKIM, cfg.DKIM.Ed25519KeyFile, true})
	}
	return files
}

func backupCommand(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	fs := newFlags("backup", backupUsage, args, stdout, stderr)
	configPath := fs.String("config", "", "read settings from this TOML `file` (default $OTPD_CONFIG)")
	data := fs.String("data", "", "the data `directory` to back up (default ./otpd-data)")
	to := fs.String("to", "", "write the backup to this `file` (a tar archive; must not exist)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("backup takes no arguments, got %q", fs.Args())
	}
	if *to == "" {
		return errors.New("backup: --to FILE is required")
	}
	cfg, err := loadConfig(*configPath, *data, env)
	if err != nil {
		return err
	}
	if kind, _ := cfg.Store(); kind == config.Postgres {
		return fmt.Errorf("backup copies an SQLite store, and the database setting names PostgreSQL: "+
			"back it up with pg_dump (pg_dump --format=custom --file=otpd.dump DATABASE_URL), "+
			"and copy the server secret (%s) and the DKIM key (%s) with it", cfg.SecretPath(), cfg.DKIMKeyPath())
	}
	if _, err := os.Lstat(*to); err == nil {
		return fmt.Errorf("--to: %s exists; a backup never overwrites one", *to)
	}
	files, err := writeBackup(ctx, cfg, *to)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backed up %s to %s:\n", filepath.Dir(files[0].path), *to)
	for _, f := range files {
		fmt.Fprintf(stdout, "  %-18s from %s\n", f.name, f.path)
	}
	fmt.Fprintln(stdout, "It holds the server secret: keep it as secret as the data directory.")
	return nil
}

// writeBackup writes the archive to a temporary file beside to and links
// it into place when it is whole, and returns the files it holds.
func writeBackup(ctx context.Context, cfg config.Config, to string) ([]archived, error) {
	dir := filepath.Dir(to)
	// The database copy is made beside the archive: the same file system
	// the operator chose for the backup, with room for it.
	work, err := os.MkdirTemp(dir, ".otpd-backup-*")
	if err != nil {
		return nil, fmt.Errorf("--to: %w", err)
	}
	defer os.RemoveAll(work)

	var files []archived
	for _, f := range backupFiles(cfg) {
		if f.name == archiveDB {
			copied := filepath.Join(work, archiveDB)
			if err := sqlite.Backup(ctx, f.path, copied); err != nil {
				return nil, err
			}
			files = append(files, archived{f.name, f.path, true})
			continue
		}
		if _, err := os.Stat(f.path); errors.Is(err, fs.ErrNotExist) && !f.required {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		files = append(files, f)
	}

	tmp, err := os.CreateTemp(work, "archive-*")
	if err != nil {
		return nil, fmt.Errorf("--to: %w", err)
	}
	defer tmp.Close()
	if err := tmp.Chmod(0o600); err != nil {
		return nil, err
	}
	m := manifest{Format: backupFormat, CreatedAt: time.Now().UTC(), OtpdVersion: buildinfo.Read().Version, SHA256: map[string]string{}}
	sources := map[string]string{}
	for _, f := range files {
		src := f.path
		if f.name == archiveDB {
			src = filepath.Join(work, archiveDB)
		}
		sum, err := sha256File(src)
		if err != nil {
			return nil, err
		}
		m.SHA256[f.name] = sum
		sources[f.name] = src
	}
	tw := tar.NewWriter(tmp)
	head, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeEntry(tw, manifestName, m.CreatedAt, int64(len(head)+1), bytes.NewReader(append(head, '\n'))); err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := addFile(tw, f.name, sources[f.name], m.CreatedAt); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	// link(2) fails when to exists: a backup that raced another to the
	// same name does not replace it.
	if err := os.Link(tmp.Name(), to); err != nil {
		return nil, fmt.Errorf("--to: %w", err)
	}
	return files, nil
}

func addFile(tw *tar.Writer, name, path string, at time.Time) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	return writeEntry(tw, name, at, st.Size(), f)
}

func writeEntry(tw *tar.Writer, name string, at time.Time, size int64, r io.Reader) error {
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o600, Size: size, ModTime: at, Format: tar.FormatPAX}); err != nil {
		return err
	}
	if _, err := io.Copy(tw, r); err != nil {
		return fmt.Errorf("backup: %s: %w", name, err)
	}
	return nil
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
