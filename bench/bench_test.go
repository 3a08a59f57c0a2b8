package bench

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// binary is a magi built fresh for the tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "magi-bench-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "magi")
	out, err := exec.Command("go", "build", "-o", binary, "github.com/magi-system/magi/cmd/magi").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build magi: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestRun_Quick runs the quick bench against a real magi serve: every
// event must arrive and every figure must be a finite number. Nothing is
// timed: targets are reported, not asserted.
func TestRun_Quick(t *testing.T) {
	var log bytes.Buffer
	rep, err := Run(t.Context(), Options{Binary: binary, Quick: true, Log: &log})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, log.String())
	}
	if err := rep.Finite(); err != nil {
		t.Error(err)
	}
	var got []string
	for _, r := range rep.Results {
		if len(got) == 0 || got[len(got)-1] != r.Figure {
			got = append(got, r.Figure)
		}
		if r.Store != "sqlite" {
			t.Errorf("%s: store %q, want sqlite", r.ID, r.Store)
		}
	}
	if diff := cmp.Diff(Figures, got); diff != "" {
		t.Errorf("figures (-want +got):\n%s", diff)
	}
	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil || !strings.Contains(table.String(), "open streams, every event delivered") {
		t.Errorf("table: %v\n%s", err, table.String())
	}
}

func TestRun_UnknownFigure(t *testing.T) {
	if _, err := Run(t.Context(), Options{Binary: binary, Only: "nope"}); err == nil || !strings.Contains(err.Error(), "unknown figure") {
		t.Errorf("err = %v", err)
	}
}

func TestShape_RoundTrip(t *testing.T) {
	want := shape{TTFT: 20 * time.Millisecond, Gap: time.Millisecond, Tokens: 7, Size: 99, Stamp: true, Gate: true,
		Agent: map[magi.AgentID]time.Duration{magi.Casper: 300 * time.Millisecond}}
	got, ok := parseShape("quoted first: " + want.question("x") + " and later [[bench n=1]]")
	if !ok {
		t.Fatal("no directive found")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("shape (-want +got):\n%s", diff)
	}
}

// TestStamping fills stamp holes with the time of the write and holds
// writes at a gate mark until it opens.
func TestStamping(t *testing.T) {
	g := newGate()
	g.close()
	h := stamping(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("a" + stampHole + " " + gateMark + "b"))
	}), g)
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	before := time.Now().UnixNano()
	go func() {
		defer close(done)
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	}()
	select {
	case <-done:
		t.Fatal("the write went through a closed gate")
	case <-time.After(20 * time.Millisecond):
	}
	g.release()
	<-done
	body := rec.Body.String()
	st := stamps(body)
	if len(st) != 1 || st[0] < before || st[0] > time.Now().UnixNano() || strings.Contains(body, "gate") || !strings.HasSuffix(body, " b") {
		t.Errorf("body %q, stamps %v", body, st)
	}
}

func TestSamples_Percentile(t *testing.T) {
	var s samples
	for i := 1; i <= 100; i++ {
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	if p50, p99 := s.pct(50), s.pct(99); p50 != 50 || p99 != 99 {
		t.Errorf("p50 %v p99 %v, want 50 99", p50, p99)
	}
	if !isNaN(samples(nil).pct(50)) {
		t.Error("empty samples have a percentile")
	}
}

func isNaN(x float64) bool { return x != x }

func TestResult_Settle(t *testing.T) {
	r := Result{Value: 3, Baseline: 2, Measure: Added, Target: "< 2"}
	r.settle()
	if r.Compared != 1 || r.Pass == nil || !*r.Pass {
		t.Errorf("added: %+v", r)
	}
	r = Result{Value: 3, Baseline: 2, Measure: Ratio, Target: "<= 1.05"}
	r.settle()
	if r.Compared != 1.5 || r.Pass == nil || *r.Pass {
		t.Errorf("ratio: %+v", r)
	}
}

// TestWriteTable_SignsAndLoad: a figure below its baseline reads as a
// negative difference, not "+-"; the header gives the load average.
func TestWriteTable_SignsAndLoad(t *testing.T) {
	rep := &Report{Machine: Machine{CPUs: 2, Load: [2]float64{11.78, 14.48}}, Results: []Result{
		{Label: "faster", Unit: "ms", Value: 144, Baseline: 180, Measure: Added},
		{Label: "slower", Unit: "ms", Value: 7.32, Baseline: 5.45, Measure: Added},
	}}
	for i := range rep.Results {
		rep.Results[i].settle()
	}
	var b bytes.Buffer
	if err := rep.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"load average 11.78 → 14.48", "-36 ms", "+1.87 ms"} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "+-") {
		t.Errorf("a negative difference reads +-:\n%s", out)
	}
}
