//go:build race

package signin_test

// raceEnabled shrinks the attack simulations under the race detector,
// which makes every store operation many times slower; the full-size runs
// are the ones without it (go test -v -run Attack ./signin).
const raceEnabled = true
