package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Backup writes a consistent copy of the database at path to dest, which
// must not exist, while servers go on using it. It runs VACUUM INTO on a
// connection of its own: one read transaction, so the copy is the
// database as of one moment (WAL readers do not block writers, nor
// writers them), compacted, with the WAL's committed pages in it and no
// WAL of its own to carry. It never creates the database at path.
func Backup(ctx context.Context, path, dest string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	if _, err := os.Lstat(dest); err == nil {
		return fmt.Errorf("sqlite: backup: %s: %w", dest, fs.ErrExist)
	}
	db, err := openDB(path)
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	_, err = db.ExecContext(ctx, `VACUUM INTO ?`, dest)
	if err != nil {
		err = fmt.Errorf("sqlite: backup %s: %w", path, err)
	}
	return errors.Join(err, db.Close())
}
