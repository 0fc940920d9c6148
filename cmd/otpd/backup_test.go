package main

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// loadLimits let one test sign in fifty times from one IP.
var loadLimits = map[string]string{
	"OTPD_LIMITS_CODES_PER_HOUR": "1000", "OTPD_LIMITS_CODES_PER_DAY": "1000",
	"OTPD_LIMITS_CODES_PER_IP_PER_HOUR": "0", "OTPD_LIMITS_CODES_PER_NETWORK_PER_HOUR": "0",
}

// A backup taken while sign-ins go on restores into a fresh directory
// where a new server knows the accounts made before it, keeps their
// sessions, and still knows their remembered devices, which only the
// restored server secret can check.
func TestBackupWhileServingRestores(t *testing.T) {
	s := startServer(t, loadLimits)
	ada := s.owner(t, "ada@example.com", "")
	s.signIn(t, "bob@example.com")

	// Sign-ins go on in the background: 50 of them, over five accounts.
	const load = 50
	done := make(chan error, 1)
	var signedIn sync.WaitGroup
	signedIn.Add(5)
	go func() {
		for i := range load {
			if err := signInOnce(s, fmt.Sprintf("load%d@example.com", i%5)); err != nil {
				done <- fmt.Errorf("sign-in %d: %w", i, err)
				return
			}
			if i < 5 {
				signedIn.Done()
			}
		}
		done <- nil
	}()
	signedIn.Wait()

	file := filepath.Join(t.TempDir(), "otpd-backup.tar")
	out, _, err := runCmd(t, nil, "backup", "--data", s.dir, "--to", file)
	if err != nil {
		t.Fatalf("backup under load: %v", err)
	}
	if !strings.Contains(out, "secret.key") || !strings.Contains(out, "dkim-rsa.key") {
		t.Errorf("backup's report does not name the secrets:\n%s", out)
	}
	if err := <-done; err != nil {
		t.Fatalf("the sign-ins during the backup: %v", err)
	}
	assertMode(t, file, 0o600)
	if names := archiveNames(t, file); strings.Join(names, " ") != "otpd-backup.json otpd.db secret.key dkim-rsa.key" {
		t.Errorf("the archive holds %q", names)
	}
	if _, _, err := runCmd(t, nil, "backup", "--data", s.dir, "--to", file); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a second backup onto the first: %v", err)
	}

	// Not into the running server's directory.
	if _, _, err := runCmd(t, nil, "restore", "--data", s.dir, "--from", file); err == nil || !strings.Contains(err.Error(), "running") {
		t.Errorf("restore onto a running server: %v", err)
	}

	fresh := filepath.Join(t.TempDir(), "data")
	out, _, err = runCmd(t, nil, "restore", "--data", fresh, "--from", file)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	for _, name := range []string{"otpd.db", "secret.key", "dkim-rsa.key"} {
		assertMode(t, filepath.Join(fresh, name), 0o600)
		if !strings.Contains(out, name) {
			t.Errorf("restore's report does not name %s:\n%s", name, out)
		}
	}
	if _, _, err := runCmd(t, nil, "restore", "--data", fresh, "--from", file); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a second restore into the same directory: %v", err)
	}
	for _, name := range []string{"secret.key", "dkim-rsa.key"} {
		a, _ := os.ReadFile(filepath.Join(s.dir, name))
		b, _ := os.ReadFile(filepath.Join(fresh, name))
		if len(a) == 0 || string(a) != string(b) {
			t.Errorf("%s was not restored as it was", name)
		}
	}

	r := startServer(t, nil, "--data", fresh)
	// The session made before the backup goes on.
	old := r.client()
	old.Token = ada.Token
	if me, err := old.Me(ctx); err != nil || me.Email != "ada@example.com" {
		t.Errorf("ada's session on the restored server: %+v, %v", me, err)
	}
	// The remembered device is known: the password alone signs in.
	dev := r.client()
	dev.DeviceToken = ada.DeviceToken
	res, err := dev.PasswordSignIn(ctx, "ada@example.com", goodPassword)
	if err != nil || res.SignedIn == nil {
		t.Errorf("ada's remembered device on the restored server: %+v (reasons %v), %v", res, res.Reasons, err)
	}
	// An account made before the backup signs in with a code from the
	// restored server's dev mailbox.
	bob := r.signIn(t, "bob@example.com")
	if me, err := bob.Me(ctx); err != nil || me.Email != "bob@example.com" {
		t.Errorf("bob on the restored server: %+v, %v", me, err)
	}
}

// restore refuses a directory a running server holds even when the
// store is gone from it, and a server does not start while a restore
// writes.
func TestRestoreAndServeExcludeEachOther(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lockStoreDir(filepath.Join(dir, "otpd.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = runCmd(t, nil, "restore", "--data", dir, "--from", filepath.Join(dir, "none.tar"))
	unlock()
	if err == nil || !strings.Contains(err.Error(), "a server is running on "+dir) {
		t.Errorf("restore beside a server: %v", err)
	}

	unlock, err = lockStoreDir(filepath.Join(dir, "otpd.db"), true)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	_, _, err = runCmd(t, nil, "serve", "--listen", "127.0.0.1:0", "--data", dir)
	if err == nil || !strings.Contains(err.Error(), "otpd restore is writing") {
		t.Errorf("serve during a restore: %v", err)
	}
}

// A damaged backup restores nothing.
func TestRestoreChecksTheBackup(t *testing.T) {
	s := startServer(t, nil)
	file := filepath.Join(t.TempDir(), "b.tar")
	if _, _, err := runCmd(t, nil, "backup", "--data", s.dir, "--to", file); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// Flip a byte inside the database's entry (past the manifest's).
	raw[len(raw)/2] ^= 0xff
	bad := filepath.Join(t.TempDir(), "bad.tar")
	if err := os.WriteFile(bad, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := t.TempDir()
	_, _, err = runCmd(t, nil, "restore", "--data", fresh, "--from", bad)
	if err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("restore of a damaged backup: %v", err)
	}
	if entries, _ := os.ReadDir(fresh); len(entries) > 0 {
		t.Errorf("a failed restore left %d files behind", len(entries))
	}
	if _, _, err := runCmd(t, nil, "restore", "--data", fresh, "--from", filepath.Join(fresh, "none.tar")); err == nil {
		t.Error("restore from no file")
	}
	twice := repeatEntry(t, file, "secret.key")
	_, _, err = runCmd(t, nil, "restore", "--data", fresh, "--from", twice)
	if err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("restore of a backup holding secret.key twice: %v", err)
	}
	if entries, _ := os.ReadDir(fresh); len(entries) > 0 {
		t.Errorf("a refused restore left %d files behind", len(entries))
	}
}

// repeatEntry copies the backup at from with the entry name written
// twice, as a crafted archive could.
func repeatEntry(t *testing.T, from, name string) string {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	path := filepath.Join(t.TempDir(), "twice.tar")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	tr, tw := tar.NewReader(in), tar.NewWriter(out)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		copies := 1
		if h.Name == name {
			copies = 2
		}
		for range copies {
			if err := tw.WriteHeader(h); err != nil {
				t.Fatal(err)
			}
			if _, err := tw.Write(body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// With PostgreSQL, backup names pg_dump and fails.
func TestBackupWithPostgresSaysPgDump(t *testing.T) {
	file := filepath.Join(t.TempDir(), "b.tar")
	_, _, err := runCmd(t, map[string]string{"OTPD_DATABASE": "postgres://otpd@127.0.0.1:1/otpd"}, "backup", "--to", file)
	if err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("backup with PostgreSQL: %v", err)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backup with PostgreSQL wrote %s", file)
	}
	if _, _, err := runCmd(t, nil, "backup"); err == nil || !strings.Contains(err.Error(), "--to") {
		t.Errorf("backup without --to: %v", err)
	}
}

// signInOnce is signIn without a *testing.T, for a goroutine.
func signInOnce(s *server, email string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := s.client()
	before, err := c.DevMessages(ctx, email)
	if err != nil {
		return err
	}
	f, err := c.SignIn(ctx, email)
	if err != nil {
		return err
	}
	for {
		msgs, err := c.DevMessages(ctx, email)
		if err != nil {
			return err
		}
		if len(msgs) > len(before) {
			m := codeLine.FindStringSubmatch(msgs[0].Text)
			if m == nil {
				return fmt.Errorf("no code in %q", msgs[0].Text)
			}
			_, err := c.Verify(ctx, f.FlowID, strings.ReplaceAll(m[1], " ", ""))
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func archiveNames(t *testing.T, file string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Mode != 0o600 {
			t.Errorf("%s has mode %o in the archive", h.Name, h.Mode)
		}
		names = append(names, h.Name)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != want {
		t.Errorf("%s has mode %o, want %o", path, st.Mode().Perm(), want)
	}
}
