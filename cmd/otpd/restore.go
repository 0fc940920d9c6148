package main

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/otpd/otpd/config"
)

const restoreUsage = `Usage: otpd restore --from FILE [flags]

Puts a backup made by "otpd backup" into a data directory: the database,
the server secret and the DKIM keys, each where the configuration keeps it
(--data, OTPD_DATA_DIR, secret_file, dkim.key_file...), with mode 0600.

It refuses a directory that holds a store, and one a server is running on:
restore never overwrites. Move the old data directory aside first. Every
file is checked against the backup's checksums before any is put in place.

Flags:
`

// errStoreInUse is a data directory another otpd holds: a server, for
// restore; a restore, for a server.
var errStoreInUse = errors.New("another otpd holds this data directory")

func restoreCommand(_ context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	fs := newFlags("restore", restoreUsage, args, stdout, stderr)
	configPath := fs.String("config", "", "read settings from this TOML `file` (default $OTPD_CONFIG)")
	data := fs.String("data", "", "restore into this data `directory` (default ./otpd-data)")
	from := fs.String("from", "", "the backup `file` that otpd backup wrote")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("restore takes no arguments, got %q", fs.Args())
	}
	if *from == "" {
		return errors.New("restore: --from FILE is required")
	}
	cfg, err := loadConfig(*configPath, *data, env)
	if err != nil {
		return err
	}
	kind, db := cfg.Store()
	if kind == config.Postgres {
		return errors.New("restore puts back an SQLite store, and the database setting names PostgreSQL: " +
			"restore the database with pg_restore, and the secret and DKIM key files by hand")
	}
	// A running server holds the directory's lock for as long as it
	// runs, even when its store was deleted under it; restore holds it
	// until the files are in place, so that no server starts on half of
	// them.
	unlock, err := lockStoreDir(db, true)
	if errors.Is(err, errStoreInUse) {
		return fmt.Errorf("restore: a server is running on %s: stop it first; nothing was changed", filepath.Dir(db))
	}
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer unlock()

	targets := map[string]string{}
	for _, f := range backupFiles(cfg) {
		targets[f.name] = f.path
	}
	if _, ok := targets[archiveEdDKIM]; !ok {
		// A backup from a server that signed with Ed25519 too brings
		// its key; this configuration names none, so it goes beside
		// the others, to be named.
		targets[archiveEdDKIM] = filepath.Join(cfg.DataDir, "dkim-ed25519.key")
	}
	for _, p := range append(slices.Collect(maps.Values(targets)), db+"-wal", db+"-journal") {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("restore: %s exists: restore only into an empty data directory (move it aside first); nothing was changed", p)
		}
	}

	staged, err := stageBackup(*from, targets)
	defer func() {
		for _, s := range staged {
			os.Remove(s.tmp)
		}
	}()
	if err != nil {
		return err
	}
	// The secrets first and the database last: whoever sees the store
	// sees the secret it was written with.
	slices.SortStableFunc(staged, func(a, b stagedFile) int {
		return boolInt(a.name == archiveDB) - boolInt(b.name == archiveDB)
	})
	for _, s := range staged {
		// link(2) never replaces a file that appeared since the check.
		if err := os.Link(s.tmp, s.path); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		fmt.Fprintf(stdout, "Restored %-18s to %s\n", s.name, s.path)
	}
	if cfg.DKIM.Ed25519KeyFile == "" && slices.ContainsFunc(staged, func(s stagedFile) bool { return s.name == archiveEdDKIM }) {
		fmt.Fprintf(stdout, "The backup signed with Ed25519 too: set dkim.ed25519_key_file = %q to go on doing so.\n", targets[archiveEdDKIM])
	}
	return nil
}

type stagedFile struct{ name, path, tmp string }

// stageBackup reads the archive and writes each file to a temporary name
// beside where it goes, checked against the manifest. It returns what it
// staged, for the caller to put in place or remove.
func stageBackup(from string, targets map[string]string) ([]stagedFile, error) {
	f, err := os.Open(from)
	if err != nil {
		return nil, fmt.Errorf("--from: %w", err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	var m manifest
	var staged []stagedFile
	for first := true; ; first = false {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return staged, fmt.Errorf("--from: %s is not an otpd backup: %w", from, err)
		}
		if first {
			if h.Name != manifestName {
				return staged, fmt.Errorf("--from: %s is not an otpd backup: it does not start with %s", from, manifestName)
			}
			if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m); err != nil {
				return staged, fmt.Errorf("--from: %s: %w", manifestName, err)
			}
			if m.Format != backupFormat {
				return staged, fmt.Errorf("--from: backup format %d, this otpd reads %d", m.Format, backupFormat)
			}
			continue
		}
		path, ok := targets[h.Name]
		want, listed := m.SHA256[h.Name]
		if !ok || !listed || h.Typeflag != tar.TypeReg {
			return staged, fmt.Errorf("--from: unexpected entry %q in the backup", h.Name)
		}
		// A second copy would be staged twice and fail to link after the
		// first was in place, leaving the directory half restored.
		if slices.ContainsFunc(staged, func(s stagedFile) bool { return s.name == h.Name }) {
			return staged, fmt.Errorf("--from: %s appears twice in the backup; nothing was changed", h.Name)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return staged, fmt.Errorf("restore: %w", err)
		}
		tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".restore-*")
		if err != nil {
			return staged, fmt.Errorf("restore: %w", err)
		}
		staged = append(staged, stagedFile{h.Name, path, tmp.Name()})
		sum := sha256.New()
		_, err = io.Copy(io.MultiWriter(tmp, sum), tr)
		err = errors.Join(err, tmp.Chmod(0o600), tmp.Sync(), tmp.Close())
		if err != nil {
			return staged, fmt.Errorf("restore: %s: %w", h.Name, err)
		}
		if got := hex.EncodeToString(sum.Sum(nil)); got != want {
			return staged, fmt.Errorf("--from: %s is damaged: its checksum is %s, the manifest says %s; nothing was changed", h.Name, got, want)
		}
	}
	for name := range m.SHA256 {
		if !slices.ContainsFunc(staged, func(s stagedFile) bool { return s.name == name }) {
			return staged, fmt.Errorf("--from: %s is missing from the backup; nothing was changed", name)
		}
	}
	for _, must := range []string{archiveDB, archiveSecret} {
		if _, ok := m.SHA256[must]; !ok {
			return staged, fmt.Errorf("--from: the backup holds no %s; nothing was changed", must)
		}
	}
	return staged, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
