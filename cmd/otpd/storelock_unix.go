//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockStoreDir locks the directory that holds an SQLite store: shared for
// a server (several may share a store), exclusive for restore. It is
// flock(2) on the directory itself, so there is no lock file to leave
// behind, and the kernel drops the lock when the process ends, however
// it ends: a crashed server never blocks a restore, unlike a pid file.
// It fails at once, with errStoreInUse, when the other kind is held.
func lockStoreDir(dbPath string, exclusive bool) (unlock func(), err error) {
	dir := filepath.Dir(dbPath)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err = syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errStoreInUse
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return func() { f.Close() }, nil
}
