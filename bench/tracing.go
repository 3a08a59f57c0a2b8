package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"
)

// tracingRepeats is how many times the tracing figure measures each mode,
// alternating off and on, so that neither has the warmer machine.
const tracingRepeats = 2

// tracing measures the relay and the throughput with tracing off (no OTEL_*
// variable: the default) and on (sampling everything, every span exported
// over OTLP/HTTP to an endpoint of the bench that reads and drops them), in the same run: the cost of tracing, and that off costs
// nothing measurable.
func (r *run) tracing(ctx context.Context) error {
	var exports, received atomic.Int64
	otlp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A sink, not a decoder: the bench's own CPU goes to its clients.
		n, _ := io.Copy(io.Discard, r.Body)
		exports.Add(1)
		received.Add(n)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer otlp.Close()
	modes := []struct {
		name string
		env  []string
	}{
		{"off", nil},
		{"on", []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + otlp.URL, "OTEL_TRACES_SAMPLER=always_on"}},
	}
	c, n := r.size.relayConc[len(r.size.relayConc)/2], r.size.deliberate/2
	relay := map[string]samples{}
	took := map[string]time.Duration{}
	sh := shape{TTFT: 10 * time.Millisecond, Gap: 50 * time.Millisecond, Tokens: 20, Stamp: true}
	for range tracingRepeats {
		for _, m := range modes {
			r.shutdown()
			if err := r.startWith(ctx, m.env...); err != nil {
				return err
			}
			streams, err := r.burst(ctx, c, sh.question("tracing"))
			if err != nil {
				return err
			}
			for _, s := range streams {
				relay[m.name] = append(relay[m.name], s.Relay...)
			}
			var lost error
			took[m.name] += drive(n, r.size.workers, func() {
				if s := r.api.deliberate(ctx, shape{Tokens: 20}.question("tracing")); !s.ok() {
					lost = fmt.Errorf("%w: %v", errLost, s.Err)
				}
			})
			if lost != nil {
				return lost
			}
		}
	}
	r.shutdown() // flushes the last spans
	if exports.Load() == 0 {
		return fmt.Errorf("tracing on exported no span")
	}
	for _, p := range []float64{50, 99} {
		r.add(Result{Figure: "tracing", ID: fmt.Sprintf("tracing.relay.p%.0f.c%d", p, c), Unit: "ms", Measure: Added,
			Label: fmt.Sprintf("chunk relay p%.0f, %d concurrent, tracing on", p, c),
			Value: relay["on"].pct(p), Baseline: relay["off"].pct(p),
			Note: fmt.Sprintf("%d chunks each; baseline: the same with tracing off (the default), in the same run", len(relay["on"]))})
	}
	total := float64(tracingRepeats * n)
	r.add(Result{Figure: "tracing", ID: "tracing.throughput", Label: "deliberations per second, tracing on", Unit: "/s", Measure: Ratio,
		Value: total / took["on"].Seconds(), Baseline: total / took["off"].Seconds(),
		Note: fmt.Sprintf("%d deliberations each, %d clients; %d exports, %.1f MB of OTLP; baseline: the same with tracing off, in the same run",
			int(total), r.size.workers, exports.Load(), float64(received.Load())/1e6)})
	return nil
}

// startWith starts a server on the store being measured, with env set,
// warmed up by one deliberation.
func (r *run) startWith(ctx context.Context, env ...string) error {
	srv, err := startServer(ctx, r.opts.Binary, r.db, r.model.url, env...)
	if err != nil {
		return err
	}
	r.srv, r.api, r.store = srv, newClient(srv.URL), srv.store
	return r.api.deliberate(ctx, shape{Tokens: 3}.question("warm-up")).Err
}
