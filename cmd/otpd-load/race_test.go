//go:build race

package main

// raceBuild makes the servers the end-to-end test builds race-enabled
// too, as the test binary is: they then come from the same build cache
// instead of a second compilation of every package.
const raceBuild = true
