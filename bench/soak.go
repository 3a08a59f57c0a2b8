package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// SoakOptions configure a soak run (Soak).
type SoakOptions struct {
	// Binary is the magi executable to start as `magi serve`.
	Binary string
	// Duration is how long the load lasts.
	Duration time.Duration
	// Deliberations is how many run at once (default 200), each read by
	// two streams; as each ends it is deleted and another starts.
	Deliberations int
	// Every is the time between two samples (default Duration/120, from
	// 1 s to 30 s); the samples of the first Warmup (default Duration/10,
	// at most 3 min) are not fitted.
	Every, Warmup time.Duration
	// PG is a postgres:// URL to soak PostgreSQL instead of SQLite, or
	// "auto" for a throwaway server.
	PG string
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// SoakReport is the outcome of a soak: the server's resident memory,
// goroutines and open descriptors sampled under a steady load, each with
// its least-squares slope per hour (flat means ≈ 0).
type SoakReport struct {
	Machine Machine `json:"machine"`
	// LoadBefore and LoadAfter are the machine's load averages
	// (/proc/loadavg) when the soak started and ended.
	LoadBefore    string        `json:"load_before"`
	LoadAfter     string        `json:"load_after"`
	Store         string        `json:"store"`
	Seconds       float64       `json:"seconds"`
	Deliberations int           `json:"deliberations_at_once"`
	Cycles        int64         `json:"deliberations_run"`
	Streams       int64         `json:"streams_read"`
	Every         time.Duration `json:"every_ns"`
	Warmup        time.Duration `json:"warmup_ns"`
	Samples       []SoakSample  `json:"samples"`
	RSS           Fit           `json:"rss_bytes"`
	Heap          Fit           `json:"heap_bytes"`
	Goroutines    Fit           `json:"goroutines"`
	FDs           Fit           `json:"fds"`
	// IdleBefore is the idle server before the load, IdleAfter once the
	// load ended and its connections closed: what it kept is a leak.
	IdleBefore SoakSample `json:"idle_before"`
	IdleAfter  SoakSample `json:"idle_after"`
	// Errors are what went wrong (at most 20 kept; ErrorCount counts all).
	Errors     []string `json:"errors"`
	ErrorCount int64    `json:"error_count"`
}

// SoakSample is one reading of the server.
type SoakSample struct {
	Seconds float64 `json:"s"`
	RSS     int64   `json:"rss"`
	// Heap is the Go heap in use (go_memstats_heap_inuse_bytes): RSS
	// without what the runtime keeps but does not use.
	Heap       int64 `json:"heap"`
	Goroutines int   `json:"goroutines"`
	FDs        int   `json:"fds"`
}

// Soak runs a steady load of deliberations and streams against a real
// `magi serve` for opts.Duration and reports how its memory, goroutines
// and descriptors trend. The error is non-nil when the soak could not run
// or a deliberation failed or lost an event.
func Soak(ctx context.Context, opts SoakOptions) (*SoakReport, error) {
	opts = opts.withDefaults()
	rep := &SoakReport{Machine: machine(), LoadBefore: loadavg(), Deliberations: opts.Deliberations,
		Every: opts.Every, Warmup: opts.Warmup, Errors: []string{}}
	model, err := startModel()
	if err != nil {
		return nil, err
	}
	defer model.stop()
	dir, err := os.MkdirTemp("", "magi-soak-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	r := &run{opts: Options{Binary: opts.Binary, PG: opts.PG, Log: opts.Log}, model: model, rep: &Report{}, dir: dir}
	db := filepath.Join(dir, "soak.db")
	if opts.PG != "" {
		url, stop, err := r.postgres()
		if err != nil {
			return nil, err
		}
		defer stop()
		db = url
	}
	srv, err := startServer(ctx, opts.Binary, db, model.url)
	if err != nil {
		return nil, err
	}
	defer func() { _ = srv.stop() }()
	rep.Store = srv.store
	s := &soak{opts: opts, rep: rep, srv: srv, api: newClient(srv.URL), model: model}
	err = s.run(ctx)
	rep.LoadAfter = loadavg()
	return rep, err
}

func (o SoakOptions) withDefaults() SoakOptions {
	if o.Deliberations <= 0 {
		o.Deliberations = 200
	}
	if o.Every <= 0 {
		o.Every = min(max(o.Duration/120, time.Second), 30*time.Second)
	}
	if o.Warmup <= 0 {
		o.Warmup = min(o.Duration/10, 3*time.Minute)
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	return o
}

// soak is the state of one Soak.
type soak struct {
	opts  SoakOptions
	rep   *SoakReport
	srv   *server
	api   *client
	model *model

	mu     sync.Mutex
	cycles atomic.Int64
}

// run warms the server up, reads it idle, loads it while sampling, reads
// it idle again and fits the samples.
func (s *soak) run(ctx context.Context) error {
	if st := s.api.deliberate(ctx, shape{Tokens: 3}.question("warm-up")); st.Err != nil {
		return fmt.Errorf("warm-up: %w", st.Err)
	}
	idle, err := s.idle(ctx, nil)
	if err != nil {
		return err
	}
	s.rep.IdleBefore = idle
	fmt.Fprintf(s.opts.Log, "soak: %d deliberations at once for %v on %s (idle: %d goroutines, %d fds)\n",
		s.opts.Deliberations, s.opts.Duration, s.rep.Store, idle.Goroutines, idle.FDs)
	began := time.Now()
	lctx, stop := context.WithDeadline(ctx, began.Add(s.opts.Duration))
	defer stop()
	var wg sync.WaitGroup
	for i := range s.opts.Deliberations {
		wg.Go(func() { s.worker(lctx, i) })
	}
	s.sample(lctx, began)
	wg.Wait()
	s.rep.Seconds = time.Since(began).Seconds()
	if s.rep.IdleAfter, err = s.idle(ctx, &s.rep.IdleBefore); err != nil {
		return err
	}
	s.fit()
	if s.rep.ErrorCount > 0 {
		return fmt.Errorf("soak: %d error(s): %s", s.rep.ErrorCount, strings.Join(s.rep.Errors, "; "))
	}
	return ctx.Err()
}

// worker runs deliberations one after another until ctx ends: each is
// started, read by two streams at once, then deleted.
func (s *soak) worker(ctx context.Context, n int) {
	q := shape{TTFT: 20 * time.Millisecond, Gap: 10 * time.Millisecond, Tokens: 30}
	for i := 0; ctx.Err() == nil; i++ {
		id, err := s.api.start(ctx, q.question(fmt.Sprintf("soak %d/%d", n, i)))
		if err != nil {
			s.fail(ctx, err)
			continue
		}
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				st := s.api.follow(context.WithoutCancel(ctx), id, nil) // a stream is read to its end
				if !st.ok() {
					s.fail(ctx, fmt.Errorf("stream of %s: %v", id, st.Err))
				}
			})
		}
		wg.Wait()
		if err := s.api.remove(context.WithoutCancel(ctx), id); err != nil {
			s.fail(ctx, err)
		}
		s.cycles.Add(1)
	}
}

// fail records an error, unless the load is over (ctx ended).
func (s *soak) fail(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rep.ErrorCount++
	if len(s.rep.Errors) < 20 {
		s.rep.Errors = append(s.rep.Errors, err.Error())
	}
}

// sample reads the server every opts.Every until ctx ends.
func (s *soak) sample(ctx context.Context, began time.Time) {
	t := time.NewTicker(s.opts.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		x, err := s.read(ctx)
		if err != nil {
			continue // the load ended meanwhile
		}
		x.Seconds = time.Since(began).Seconds()
		s.rep.Samples = append(s.rep.Samples, x)
		fmt.Fprintf(s.opts.Log, "soak: %4.0fs rss %5.1f MB, heap %5.1f MB, %5d goroutines, %5d fds, %d deliberations run\n",
			x.Seconds, float64(x.RSS)/(1<<20), float64(x.Heap)/(1<<20), x.Goroutines, x.FDs, s.cycles.Load())
	}
}

// read samples the server.
func (s *soak) read(ctx context.Context) (SoakSample, error) {
	rss, _, err := s.srv.rss()
	if err != nil {
		return SoakSample{}, err
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", s.srv.cmd.Process.Pid))
	if err != nil {
		return SoakSample{}, err
	}
	m, err := s.api.metrics(ctx, "go_goroutines", "go_memstats_heap_inuse_bytes")
	if err != nil {
		return SoakSample{}, err
	}
	return SoakSample{RSS: rss, Heap: int64(m[1]), Goroutines: int(m[0]), FDs: len(fds)}, nil
}

// idle closes every idle connection to and from the server, then reads
// it; with want, it reads until the server is back within a small slack
// of want (its pools closing), for up to 10 s.
func (s *soak) idle(ctx context.Context, want *SoakSample) (SoakSample, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.api.close()
		s.model.dropIdle()
		x, err := s.read(ctx)
		if err != nil {
			return x, err
		}
		if want == nil || (x.Goroutines <= want.Goroutines+idleSlack && x.FDs <= want.FDs+idleFDSlack) || time.Now().After(deadline) {
			return x, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// idleSlack is how many goroutines an idle server may hold beyond its
// first reading, idleFDSlack how many descriptors: the store's pool keeps
// the connections a load opened (SQLite: up to 8, of 2 files each).
const (
	idleSlack   = 6
	idleFDSlack = 20
)

// fit fits the samples taken after the warm-up.
func (s *soak) fit() {
	s.rep.Cycles = s.cycles.Load()
	s.rep.Streams = 2 * s.rep.Cycles
	var x, rss, heap, g, fds []float64
	for _, p := range s.rep.Samples {
		if p.Seconds < s.opts.Warmup.Seconds() {
			continue
		}
		x = append(x, p.Seconds/3600)
		rss, heap = append(rss, float64(p.RSS)), append(heap, float64(p.Heap))
		g, fds = append(g, float64(p.Goroutines)), append(fds, float64(p.FDs))
	}
	s.rep.RSS, s.rep.Heap, s.rep.Goroutines, s.rep.FDs = fit(x, rss), fit(x, heap), fit(x, g), fit(x, fds)
}

// loadavg is the machine's load averages over 1, 5 and 15 minutes.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// remove deletes a finished deliberation.
func (c *client) remove(ctx context.Context, id string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, c.base+"/api/deliberations/"+id, nil)
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("DELETE %s: %s", id, res.Status)
	}
	return nil
}

// metrics reads the values of the named series from the server's
// /metrics, in order.
func (c *client) metrics(ctx context.Context, names ...string) ([]float64, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/metrics", nil)
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(names))
	for i, name := range names {
		found := false
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, name+" "); ok {
				if _, err := fmt.Sscan(v, &out[i]); err != nil {
					return nil, fmt.Errorf("%s: %w", name, err)
				}
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("no %s in /metrics", name)
		}
	}
	return out, nil
}
