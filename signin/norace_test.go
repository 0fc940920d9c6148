//go:build !race

package signin_test

const raceEnabled = false
