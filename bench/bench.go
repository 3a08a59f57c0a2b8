// Package bench measures MAGI against the physical limit: it drives a real
// `magi serve` child process over HTTP, with many concurrent event streams,
// against an in-process fake model whose timings it knows, and reports each
// figure next to a baseline measured in the same run — the fake model
// called directly, the model's own timings, or the size of the data.
//
// Targets are reported, not asserted: Run fails only when something went
// wrong (an event lost, a deliberation failed, a request refused).
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/pgtest"
)

// Options configure a run.
type Options struct {
	// Binary is the magi executable to start as `magi serve`.
	Binary string
	// Quick runs small counts: a smoke test of seconds.
	Quick bool
	// Only, when set, runs just these figures (see Figures), comma-separated.
	Only string
	// PG is a postgres:// URL to also measure PostgreSQL with, or "auto" to
	// start a throwaway server from the installed binaries.
	PG string
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Figures are the names of the measurements, in the order they run.
var Figures = []string{"idle", "ttfb", "relay", "parallel", "streamed", "scale", "throughput", "memory", "stalled", "tracing"}

// onPG are the figures measured again on PostgreSQL.
var onPG = map[string]bool{"ttfb": true, "relay": true, "throughput": true}

// Run measures every figure selected by opts and returns the report. The
// error is non-nil when the run could not be made or a figure saw an error
// (Report.Errors lists them); a missed target is not an error.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	only, err := selectFigures(opts.Only)
	if err != nil {
		return nil, err
	}
	rep := &Report{Machine: machine(), Quick: opts.Quick, Started: time.Now().UTC()}
	rep.Machine.Load[0] = loadAverage()
	model, err := startModel()
	if err != nil {
		return nil, err
	}
	defer model.stop()
	dir, err := os.MkdirTemp("", "magi-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	r := &run{opts: opts, size: sizesFor(opts.Quick), model: model, rep: rep, dir: dir}
	r.stores(ctx, only)
	rep.Seconds = time.Since(rep.Started).Seconds()
	rep.Machine.Load[1] = loadAverage()
	if len(rep.Errors) > 0 {
		return rep, fmt.Errorf("bench: %d error(s): %s", len(rep.Errors), strings.Join(rep.Errors, "; "))
	}
	return rep, nil
}

// selectFigures parses Options.Only.
func selectFigures(only string) (map[string]bool, error) {
	sel := map[string]bool{}
	for _, f := range Figures {
		sel[f] = only == ""
	}
	for _, name := range strings.Split(only, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		if _, ok := sel[name]; !ok {
			return nil, fmt.Errorf("bench: unknown figure %q: use one of %s", name, strings.Join(Figures, ", "))
		}
		sel[name] = true
	}
	return sel, nil
}

// run is the state of one Run.
type run struct {
	opts  Options
	size  sizes
	model *model
	rep   *Report
	dir   string
	// srv and api are the server being measured and its client.
	srv   *server
	api   *client
	store string
	// db is the store being measured.
	db string
}

// stores measures the figures on SQLite, then on PostgreSQL if asked.
func (r *run) stores(ctx context.Context, only map[string]bool) {
	r.on(ctx, filepath.Join(r.dir, "bench.db"), only, nil)
	if r.opts.PG == "" {
		return
	}
	url, stop, err := r.postgres()
	if err != nil {
		r.fail("postgres", err)
		return
	}
	defer stop()
	r.on(ctx, url, only, onPG)
}

// postgres returns the URL of the PostgreSQL database to measure.
func (r *run) postgres() (string, func(), error) {
	if r.opts.PG != "auto" {
		return r.opts.PG, func() {}, nil
	}
	r.logf("starting a throwaway PostgreSQL")
	pg, err := pgtest.Start()
	if err != nil {
		return "", nil, err
	}
	url, err := pg.CreateDatabase(context.Background(), "magi_bench")
	if err != nil {
		pg.Stop()
		return "", nil, err
	}
	return url, pg.Stop, nil
}

// on measures the selected figures (within subset, when not nil) on the
// store db, with a fresh server for the figures that read its memory.
func (r *run) on(ctx context.Context, db string, only, subset map[string]bool) {
	scenarios := map[string]func(context.Context) error{
		"idle": r.idle, "ttfb": r.ttfb, "relay": r.relay, "parallel": r.parallel, "streamed": r.streamed,
		"scale": r.scale, "throughput": r.throughput, "memory": r.memory, "stalled": r.stalled, "tracing": r.tracing,
	}
	fresh := map[string]bool{"idle": true, "scale": true, "memory": true, "stalled": true, "tracing": true}
	r.db = db
	for _, name := range Figures {
		if !only[name] || (subset != nil && !subset[name]) || ctx.Err() != nil {
			continue
		}
		if r.srv == nil || fresh[name] {
			// The idle figure is of a server that has served nothing yet.
			if err := r.restart(ctx, db, name != "idle"); err != nil {
				r.fail(name, err)
				return
			}
		}
		r.logf("%s on %s", name, r.store)
		began := time.Now()
		if err := scenarios[name](ctx); err != nil {
			r.fail(name, err)
		}
		r.logf("%s on %s took %.1fs", name, r.store, time.Since(began).Seconds())
		if fresh[name] {
			r.shutdown()
		}
	}
	r.shutdown()
}

// restart stops the current server, if any, and starts one on db, warmed
// up by one deliberation when warm.
func (r *run) restart(ctx context.Context, db string, warm bool) error {
	r.shutdown()
	srv, err := startServer(ctx, r.opts.Binary, db, r.model.url)
	if err != nil {
		return err
	}
	r.srv, r.api, r.store = srv, newClient(srv.URL), srv.store
	if !warm {
		return nil
	}
	s := r.api.deliberate(ctx, shape{Tokens: 3}.question("warm-up"))
	return s.Err
}

func (r *run) shutdown() {
	if r.srv == nil {
		return
	}
	r.api.close()
	if err := r.srv.stop(); err != nil {
		r.fail("shutdown", err)
	}
	r.srv, r.api = nil, nil
}

func (r *run) fail(figure string, err error) {
	msg := fmt.Sprintf("%s (%s): %v", figure, r.store, err)
	r.rep.Errors = append(r.rep.Errors, msg)
	r.logf("ERROR %s", msg)
}

func (r *run) logf(format string, args ...any) {
	fmt.Fprintf(r.opts.Log, "bench: "+format+"\n", args...)
}

// add appends a result, labelled with the current store.
func (r *run) add(res Result) {
	res.Store = r.store
	res.settle()
	for _, x := range []*float64{&res.Value, &res.Baseline, &res.Compared} {
		if math.IsNaN(*x) || math.IsInf(*x, 0) {
			r.fail(res.Figure, fmt.Errorf("%s is not a finite number", res.ID))
			*x = 0
		}
	}
	r.rep.Results = append(r.rep.Results, res)
}

// model is the fake model, served on loopback with emit stamps and a gate.
type model struct {
	fake *fakellm.Server
	gate *gate
	url  string
	stop func()
	// dropIdle closes the idle connections of magi to the model.
	dropIdle func()
}

func startModel() (*model, error) {
	m := &model{fake: fakellm.New(fakellm.Config{Script: script}), gate: newGate()}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: stamping(m.fake, m.gate), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Serve(ln)
	}()
	m.url = "http://" + ln.Addr().String() + "/v1"
	m.dropIdle = func() {
		hs.SetKeepAlivesEnabled(false) // closes the idle connections
		hs.SetKeepAlivesEnabled(true)
	}
	m.stop = func() {
		m.gate.release()
		_ = hs.Close()
		<-done
	}
	return m, nil
}

// machine describes where the run happens.
func machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH,
		FileLimit: raiseFileLimit()}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

// loadAverage is the machine's one-minute load average, 0 when it has no
// /proc/loadavg.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _, _ := strings.Cut(string(b), " ")
	x, _ := strconv.ParseFloat(f, 64)
	return x
}

// errLost is the error of a figure whose streams lost events.
var errLost = errors.New("events were lost")
