// Package faulttest is the harness of MAGI's fault-injection suite
// (faults/, docs/RELIABILITY.md): a fake model and a PostgreSQL server
// each behind a fault proxy (internal/faultproxy), clients that watch
// deliberations as a browser would, resuming when cut, and the invariants
// checked after every faulted run — the store's (store/check), the
// clients', and no goroutine, descriptor or database connection left
// behind.
//
// Every random choice of a run comes from one seed, printed when a test
// fails with the command that replays it:
//
//	MAGI_FAULT_SEED=1234 go test -race -run 'TestFaults_Model$' ./faults/
//
// MAGI_FAULT_LONG=1 runs the long mode (more runs and iterations).
package faulttest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// SeedEnv names the variable that replays a run.
const SeedEnv = "MAGI_FAULT_SEED"

// LongEnv names the variable of the long mode.
const LongEnv = "MAGI_FAULT_LONG"

// Rand is the random source of one test, seeded.
type Rand struct {
	*rand.Rand
	// Seed is the seed it started from.
	Seed uint64
}

// NewRand returns the test's random source: seeded with MAGI_FAULT_SEED
// when set, else with a new seed. When the test fails, it prints the seed
// and the command that replays it.
func NewRand(tb testing.TB) *Rand {
	tb.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(SeedEnv); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			tb.Fatalf("%s=%q is not a number", SeedEnv, s)
		}
		seed = n
	}
	tb.Logf("seed %d", seed)
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("replay with: %s", Replay(tb, seed))
		}
	})
	return &Rand{Rand: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), Seed: seed}
}

// Replay is the command that runs tb again with seed.
func Replay(tb testing.TB, seed uint64) string {
	parts := strings.Split(tb.Name(), "/") // a subtest: each level anchored
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	long := ""
	if Long() {
		long = LongEnv + "=1 "
	}
	return fmt.Sprintf("%s%s=%d CI=true go test -race -run '%s' %s", long, SeedEnv, seed, strings.Join(parts, "/"), pkgDir())
}

// pkgDir is the test's package directory from the module's root, as go
// test takes it ("./faults/"): a test runs in its package's directory.
func pkgDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			rel, err := filepath.Rel(dir, wd)
			if err != nil {
				return "."
			}
			return "./" + filepath.ToSlash(rel) + "/"
		}
		if filepath.Dir(dir) == dir {
			return "."
		}
	}
}

// Long reports whether the long mode is on (MAGI_FAULT_LONG=1).
func Long() bool { return os.Getenv(LongEnv) == "1" || os.Getenv(LongEnv) == "true" }

// Count is ci in the normal mode, long in the long mode.
func Count(ci, long int) int {
	if Long() {
		return long
	}
	return ci
}

// Duration is a duration drawn uniformly from [lo, hi].
func (r *Rand) Duration(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(r.Int64N(int64(hi-lo)+1))
}

// Child returns a new seed drawn from r, for a part of the test that draws
// on its own (a proxy's jitter).
func (r *Rand) Child() uint64 { return r.Uint64() }
