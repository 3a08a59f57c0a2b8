package bench

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"
)

// TestSoak_Minute is CI's soak: a minute (ten seconds with -short) of 100
// deliberations at once, each read by two streams, against a real magi
// serve. Every deliberation must complete with every event, the samples
// must fit, and once the load has ended the idle server must hold no more
// goroutines or descriptors than before it (a leak per deliberation or per
// stream would show in thousands). The slopes are reported, not asserted:
// a minute is too short to tell a slope from noise; docs/BENCHMARKS.md
// has a 30-minute run.
func TestSoak_Minute(t *testing.T) {
	d := time.Minute
	if testing.Short() {
		d = 10 * time.Second
	}
	var log bytes.Buffer
	rep, err := Soak(t.Context(), SoakOptions{Binary: binary, Duration: d, Deliberations: 100, Every: 2 * time.Second, Warmup: d / 6, Log: &log})
	if err != nil {
		t.Fatalf("Soak: %v\n%s", err, log.String())
	}
	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", table.String())
	if rep.Cycles < 100 || rep.ErrorCount != 0 {
		t.Errorf("%d deliberations run, %d errors; want at least one per worker and none", rep.Cycles, rep.ErrorCount)
	}
	for name, f := range map[string]Fit{"rss": rep.RSS, "heap": rep.Heap, "goroutines": rep.Goroutines, "fds": rep.FDs} {
		if f.N < 3 || math.IsNaN(f.Slope) || math.IsNaN(f.StdErr) {
			t.Errorf("%s: fit %+v, want a slope from at least 3 samples", name, f)
		}
	}
	before, after := rep.IdleBefore, rep.IdleAfter
	if after.Goroutines > before.Goroutines+idleSlack || after.FDs > before.FDs+idleFDSlack {
		t.Errorf("leak: the idle server holds %d goroutines and %d fds after %d deliberations, %d and %d before",
			after.Goroutines, after.FDs, rep.Cycles, before.Goroutines, before.FDs)
	}
	if !strings.Contains(table.String(), "slope per hour") {
		t.Errorf("the table has no slopes:\n%s", table.String())
	}
}
