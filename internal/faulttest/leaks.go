package faulttest

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/magi-system/magi/internal/await"
)

// Usage is what a magi process holds: open descriptors (/proc/PID/fd)
// and goroutines (its /metrics).
type Usage struct {
	FDs, Goroutines int
}

// String is "N fds, M goroutines".
func (u Usage) String() string { return fmt.Sprintf("%d fds, %d goroutines", u.FDs, u.Goroutines) }

// Measure reads the usage of the magi process pid serving base.
func Measure(ctx context.Context, pid int, base string) (Usage, error) {
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return Usage{}, err
	}
	g, err := goroutines(ctx, base)
	return Usage{FDs: len(fds), Goroutines: g}, err
}

// goroutines reads go_goroutines from base's /metrics.
func goroutines(ctx context.Context, base string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, fmt.Errorf("no go_goroutines in %s/metrics", base)
}

// Slack is how far above its baseline a process may stay after a run:
// pools that refill (the store's connections — SQLite keeps up to 8, of 2
// files each —, a model connection being closed). A leak of one per
// deliberation or per stream passes it within a few runs: the baseline
// stays the one before the first.
var Slack = Usage{FDs: 20, Goroutines: 12}

// WaitNoLeak waits up to within for the usage of pid to come back within
// Slack of base, after the run's clients and idle model connections are
// closed (drop does that; it is called again on each try), and reports a
// leak otherwise. It returns the usage it last read.
func WaitNoLeak(ctx context.Context, v *Violations, pid int, url string, base Usage, within time.Duration, drop func()) Usage {
	v.tb.Helper()
	var u Usage
	var err error
	if await.Until(within, func() bool { // the process's counts are polled: nothing to wait on
		drop()
		u, err = Measure(ctx, pid, url)
		return err == nil && u.FDs <= base.FDs+Slack.FDs && u.Goroutines <= base.Goroutines+Slack.Goroutines
	}) {
		return u
	}
	if err != nil {
		v.Errorf("could not measure the server: %v", err)
	} else {
		v.Errorf("leak: the server holds %v %v after the run, %v before it (slack %v)", u, within, base, Slack)
	}
	return u
}

// WaitHealthy waits up to within for base's /healthz to answer status,
// and reports a violation otherwise. It returns how long it took.
func WaitHealthy(ctx context.Context, v *Violations, base string, status int, within time.Duration) time.Duration {
	v.tb.Helper()
	began := time.Now()
	last := "no answer"
	if await.Until(within, func() bool { // the server's health is polled, as a load balancer does
		got, err := health(ctx, base)
		if err != nil {
			last = err.Error()
			return false
		}
		last = fmt.Sprintf("%d %s", got, http.StatusText(got))
		return got == status
	}) {
		return time.Since(began)
	}
	v.Errorf("/healthz did not answer %d within %v (last: %s)", status, within, last)
	return within
}

// health asks base's /healthz, for longer than the server's own bound on
// its store check (2 s), and returns the status.
func health(ctx context.Context, base string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
