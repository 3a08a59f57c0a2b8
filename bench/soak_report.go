package bench

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"
)

// WriteTable writes the soak report for people: the load, then each
// series with its slope per hour.
func (rep *SoakReport) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "MAGI soak — %d CPU %s, %s, %s; load average %s at the start, %s at the end\n",
		rep.Machine.CPUs, rep.Machine.CPU, rep.Machine.Go, rep.Machine.OS, rep.LoadBefore, rep.LoadAfter)
	fmt.Fprintf(w, "%s, %d deliberations at once (each read by 2 streams), %v: %d deliberations run (%.1f/s), %d streams, %d errors\n",
		rep.Store, rep.Deliberations, time.Duration(rep.Seconds*float64(time.Second)).Round(time.Second),
		rep.Cycles, float64(rep.Cycles)/rep.Seconds, rep.Streams, rep.ErrorCount)
	fmt.Fprintf(w, "%d samples, one every %v; the first %v not fitted\n\n", len(rep.Samples), rep.Every, rep.Warmup)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "series\tmean\tfirst\tlast\tslope per hour\t± std. error\tflat\t")
	for _, s := range []struct {
		name  string
		f     Fit
		scale float64
		unit  string
	}{{"RSS", rep.RSS, 1 << 20, " MB"}, {"Go heap in use", rep.Heap, 1 << 20, " MB"}, {"goroutines", rep.Goroutines, 1, ""}, {"open fds", rep.FDs, 1, ""}} {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", s.name, scaled(s.f.Mean, s.scale, s.unit), scaled(s.f.First, s.scale, s.unit),
			scaled(s.f.Last, s.scale, s.unit), signed(s.f.Slope, s.scale, s.unit), scaled(s.f.StdErr, s.scale, s.unit), yesNo(s.f.Flat()))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nidle server: %d goroutines, %d fds, %.1f MB before the load; %d goroutines, %d fds, %.1f MB after it\n",
		rep.IdleBefore.Goroutines, rep.IdleBefore.FDs, float64(rep.IdleBefore.RSS)/(1<<20),
		rep.IdleAfter.Goroutines, rep.IdleAfter.FDs, float64(rep.IdleAfter.RSS)/(1<<20))
	for _, e := range rep.Errors {
		fmt.Fprintf(w, "ERROR %s\n", e)
	}
	return nil
}

func scaled(x, scale float64, unit string) string {
	if math.IsNaN(x) {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%s", x/scale, unit)
}

func signed(x, scale float64, unit string) string {
	if math.IsNaN(x) {
		return "n/a"
	}
	return fmt.Sprintf("%+.1f%s", x/scale, unit)
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}
