package bench

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is the outcome of a Run.
type Report struct {
	Machine Machine   `json:"machine"`
	Quick   bool      `json:"quick"`
	Started time.Time `json:"started"`
	Seconds float64   `json:"seconds"`
	Results []Result  `json:"results"`
	// Errors are what went wrong: lost events, failed deliberations,
	// refused requests. Empty on a good run.
	Errors []string `json:"errors"`
}

// Machine is where the run happened.
type Machine struct {
	CPUs      int    `json:"cpus"`
	CPU       string `json:"cpu"`
	Go        string `json:"go"`
	OS        string `json:"os"`
	FileLimit uint64 `json:"file_limit"`
	// Load is the one-minute load average when the run started and when
	// it ended (/proc/loadavg; 0 where there is none): other work on the
	// machine stretches every figure.
	Load [2]float64 `json:"load_average"`
}

// How a Result's value is compared with its target.
const (
	Added = "added" // Value − Baseline
	Ratio = "ratio" // Value ÷ Baseline
	Plain = "value" // Value itself
)

// Result is one figure: a value, the baseline it is measured against, and
// the comparison of the two with its target.
type Result struct {
	// Figure names the measurement (see Figures); ID is unique in a run.
	Figure string  `json:"figure"`
	ID     string  `json:"id"`
	Label  string  `json:"label"`
	Store  string  `json:"store"`
	Unit   string  `json:"unit"`
	Value  float64 `json:"value"`
	// Baseline is what Value is measured against (same unit); 0 when the
	// figure has none.
	Baseline float64 `json:"baseline"`
	// Measure says what Compared is: Added, Ratio or Plain.
	Measure  string  `json:"measure"`
	Compared float64 `json:"compared"`
	// Target is the goal for Compared, e.g. "<= 2" (empty: none), and Pass
	// whether it was met.
	Target string `json:"target,omitempty"`
	Pass   *bool  `json:"pass,omitempty"`
	Note   string `json:"note,omitempty"`
}

// settle computes Compared and Pass.
func (r *Result) settle() {
	switch r.Measure {
	case Added:
		r.Compared = r.Value - r.Baseline
	case Ratio:
		r.Compared = ratio(r.Value, r.Baseline)
	default:
		r.Measure, r.Compared = Plain, r.Value
	}
	if r.Target == "" {
		return
	}
	var op string
	var goal float64
	if _, err := fmt.Sscanf(r.Target, "%s %g", &op, &goal); err != nil {
		return
	}
	var ok bool
	switch op {
	case "<":
		ok = r.Compared < goal
	case "<=":
		ok = r.Compared <= goal
	case ">=":
		ok = r.Compared >= goal
	case ">":
		ok = r.Compared > goal
	}
	ok = ok && !math.IsNaN(r.Compared)
	r.Pass = &ok
}

// Finite checks that every number of every result is finite.
func (rep *Report) Finite() error {
	for _, r := range rep.Results {
		for _, x := range []float64{r.Value, r.Baseline, r.Compared} {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("%s (%s): not a finite number: value %v baseline %v compared %v", r.ID, r.Store, r.Value, r.Baseline, r.Compared)
			}
		}
	}
	return nil
}

// WriteTable writes the report for people: one line per figure.
func (rep *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "MAGI bench — %d CPU %s, %s, %s, open files %d, %.0fs, load average %.2f → %.2f%s\n\n",
		rep.Machine.CPUs, rep.Machine.CPU, rep.Machine.Go, rep.Machine.OS, rep.Machine.FileLimit, rep.Seconds,
		rep.Machine.Load[0], rep.Machine.Load[1], quickNote(rep.Quick))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tstore\tvalue\tbaseline\tadded/ratio\ttarget\tresult")
	for _, r := range rep.Results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Label, r.Store, num(r.Value, r.Unit), baseline(r),
			compared(r), target(r), verdict(r.Pass))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(w, "ERROR %s\n", e)
	}
	return nil
}

func quickNote(q bool) string {
	if q {
		return " (--quick: small counts, a smoke test, not the figures)"
	}
	return ""
}

func num(x float64, unit string) string {
	switch {
	case math.IsNaN(x):
		return "n/a"
	case math.Abs(x) >= 100 || x == math.Trunc(x):
		return strings.TrimSpace(fmt.Sprintf("%.0f %s", x, unit))
	case math.Abs(x) >= 1:
		return strings.TrimSpace(fmt.Sprintf("%.2f %s", x, unit))
	}
	return strings.TrimSpace(fmt.Sprintf("%.3f %s", x, unit))
}

func baseline(r Result) string {
	if r.Measure == Plain {
		return "—"
	}
	return num(r.Baseline, r.Unit)
}

func compared(r Result) string {
	switch r.Measure {
	case Added:
		if r.Compared < 0 {
			return num(r.Compared, r.Unit)
		}
		return "+" + num(r.Compared, r.Unit)
	case Ratio:
		return num(r.Compared, "×")
	}
	return "—"
}

func target(r Result) string {
	if r.Target == "" {
		return "—"
	}
	unit := r.Unit
	if r.Measure == Ratio {
		unit = "×"
	}
	return r.Target + " " + unit
}

func verdict(p *bool) string {
	switch {
	case p == nil:
		return "report"
	case *p:
		return "PASS"
	}
	return "miss"
}

// sizes are the counts and timings of a run.
type sizes struct {
	ttfbConc    []int
	ttfbSamples int
	relayConc   []int
	// bursts is the least number of bursts measured at each concurrency
	// of ttfb and relay: one burst's p50 and p99 move by half between runs.
	bursts      int
	parallel    int // runs
	sage        [4]time.Duration
	streamed    int // runs
	streamShape shape
	streams     int
	perDelib    int // streams per deliberation
	deliberate  int // throughput: deliberations
	workers     int
	answer      int // bytes
	// stalled clients that never read, on a stored answer of stalledAnswer
	// bytes; stallWindow bounds the wait for the server to drop them.
	stalled       int
	stalledAnswer int
	stallWindow   time.Duration
}

func sizesFor(quick bool) sizes {
	if quick {
		return sizes{ttfbConc: []int{1, 5}, ttfbSamples: 5, relayConc: []int{1, 5}, bursts: 1, parallel: 1,
			sage:     [4]time.Duration{20 * time.Millisecond, 40 * time.Millisecond, 60 * time.Millisecond, 20 * time.Millisecond},
			streamed: 1, streamShape: shape{TTFT: 20 * time.Millisecond, Gap: 2 * time.Millisecond, Tokens: 20},
			streams: 100, perDelib: 20, deliberate: 20, workers: 4, answer: 1 << 20,
			stalled: 20, stalledAnswer: 2 << 20, stallWindow: 20 * time.Second}
	}
	return sizes{ttfbConc: []int{1, 50, 200}, ttfbSamples: 200, relayConc: []int{1, 50, 200}, bursts: 3, parallel: 5,
		sage:     [4]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 100 * time.Millisecond},
		streamed: 3, streamShape: shape{TTFT: 300 * time.Millisecond, Gap: 25 * time.Millisecond, Tokens: 60},
		streams: 10000, perDelib: 100, deliberate: 1200, workers: 32, answer: 20 << 20,
		stalled: 200, stalledAnswer: 16 << 20, stallWindow: 30 * time.Second}
}
