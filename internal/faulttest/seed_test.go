package faulttest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps what a test would log and lets a
// test say it failed, to see what NewRand prints then.
type recorder struct {
	testing.TB
	name     string
	failed   bool
	logs     []string
	cleanups []func()
}

func (r *recorder) Name() string     { return r.name }
func (r *recorder) Helper()          {}
func (r *recorder) Failed() bool     { return r.failed }
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recorder) Logf(format string, args ...any) {
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}

// end runs the cleanups, as the end of a test does.
func (r *recorder) end() {
	for _, f := range slices.Backward(r.cleanups) {
		f()
	}
}

// TestNewRand_FailurePrintsReplay: a failing test prints its seed and the
// command that replays it, its subtest anchored; a passing one does not.
func TestNewRand_FailurePrintsReplay(t *testing.T) {
	t.Setenv(SeedEnv, "1234")
	t.Setenv(LongEnv, "")
	for _, failed := range []bool{false, true} {
		rec := &recorder{TB: t, name: "TestCrashLoop_Replicas/sqlite", failed: failed}
		NewRand(rec)
		rec.end()
		all := strings.Join(rec.logs, "\n")
		want := "replay with: MAGI_FAULT_SEED=1234 CI=true go test -race -run '^TestCrashLoop_Replicas$/^sqlite$' ./internal/faulttest/"
		if !strings.Contains(all, "seed 1234") || strings.Contains(all, want) != failed {
			t.Errorf("failed %v, logged:\n%s\nwant the seed, and the replay %q only when failed", failed, all, want)
		}
	}
}

// TestNewRand_SeedReplays: the same MAGI_FAULT_SEED draws the same
// choices, in the same order; without it, each test draws a new seed.
func TestNewRand_SeedReplays(t *testing.T) {
	draws := func() []uint64 {
		r := NewRand(t)
		return []uint64{r.Uint64(), r.Child(), uint64(r.Duration(0, 1e9)), uint64(r.IntN(6))}
	}
	t.Setenv(SeedEnv, "987654321")
	first, again := draws(), draws()
	if !slices.Equal(first, again) {
		t.Errorf("seed 987654321 drew %v, then %v", first, again)
	}
	t.Setenv(SeedEnv, "987654322")
	if other := draws(); slices.Equal(first, other) {
		t.Errorf("seeds 987654321 and 987654322 drew the same %v", other)
	}
}
