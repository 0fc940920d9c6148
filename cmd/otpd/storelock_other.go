//go:build !unix

package main

// lockStoreDir does nothing where flock(2) is missing: restore then
// relies on refusing a directory that holds a store.
func lockStoreDir(string, bool) (func(), error) { return func() {}, nil }
