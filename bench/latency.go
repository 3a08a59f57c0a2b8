package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/magi-system/magi"
)

// together runs fn(0) … fn(n-1) at once and waits for them.
func together(n int, fn func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { fn(i) })
	}
	wg.Wait()
}

// sages are the three agents asked in parallel.
var sages = []magi.AgentID{magi.Melchior, magi.Balthasar, magi.Casper}

// burst runs c deliberations of q at once and returns their streams, or
// the first error (a lost event, a failed deliberation).
func (r *run) burst(ctx context.Context, c int, q string) ([]*stream, error) {
	out := make([]*stream, c)
	together(c, func(i int) { out[i] = r.api.deliberate(ctx, q) })
	for _, s := range out {
		if !s.ok() {
			return out, fmt.Errorf("%w: %v", errLost, s.Err)
		}
	}
	return out, nil
}

// directBurst asks the fake model directly as the three sages for each of
// c deliberations at once: the same load MAGI puts on the model.
func (r *run) directBurst(ctx context.Context, c int, q string) ([][]*direct, error) {
	out := make([][]*direct, c)
	for i := range out {
		out[i] = make([]*direct, len(sages))
	}
	together(c*len(sages), func(i int) {
		out[i/len(sages)][i%len(sages)] = r.api.ask(ctx, r.model.url, sages[i%len(sages)], q)
	})
	for _, g := range out {
		for _, d := range g {
			if d.Err != nil {
				return out, d.Err
			}
		}
	}
	return out, nil
}

// ttfb measures request → first chunk through MAGI against request →
// first content delta from the model itself, at each concurrency.
func (r *run) ttfb(ctx context.Context) error {
	sh := shape{TTFT: 20 * time.Millisecond, Gap: time.Millisecond, Tokens: 5}
	q := sh.question("ttfb")
	for _, c := range r.size.ttfbConc {
		var through, base samples
		for range max(r.size.bursts, (r.size.ttfbSamples+c-1)/c) {
			groups, err := r.directBurst(ctx, c, q)
			if err != nil {
				return err
			}
			for _, g := range groups {
				first := g[0].First.Sub(g[0].Start)
				for _, d := range g[1:] {
					first = min(first, d.First.Sub(d.Start))
				}
				base = append(base, first)
			}
			streams, err := r.burst(ctx, c, q)
			if err != nil {
				return err
			}
			for _, s := range streams {
				through = append(through, s.FirstChunk.Sub(s.Start))
			}
		}
		for _, p := range []float64{50, 99} {
			res := Result{Figure: "ttfb", ID: fmt.Sprintf("ttfb.p%.0f.c%d", p, c), Unit: "ms", Measure: Added,
				Label: fmt.Sprintf("time to first chunk p%.0f, %d concurrent", p, c),
				Value: through.pct(p), Baseline: base.pct(p),
				Note: fmt.Sprintf("%d samples; baseline: the first content delta of the fastest of 3 direct model calls (TTFT %s)", len(through), sh.TTFT)}
			if p == 99 {
				res.Target = "< 2"
			}
			r.add(res)
		}
	}
	return nil
}

// relay measures the time from the model writing a token to the client
// reading it as a chunk (stamps in the tokens), through MAGI with the
// store on, against the same read straight from the model, at each
// concurrency. Each agent streams 20 chunks a second, a fast model's pace.
func (r *run) relay(ctx context.Context) error {
	sh := shape{TTFT: 10 * time.Millisecond, Gap: 50 * time.Millisecond, Tokens: 20, Stamp: true}
	q := sh.question("relay")
	for _, c := range r.size.relayConc {
		var through, base samples
		for range r.size.bursts {
			groups, err := r.directBurst(ctx, c, q)
			if err != nil {
				return err
			}
			for _, g := range groups {
				for _, d := range g {
					base = append(base, d.Relay...)
				}
			}
			streams, err := r.burst(ctx, c, q)
			if err != nil {
				return err
			}
			n := len(through)
			for _, s := range streams {
				through = append(through, s.Relay...)
			}
			if want := c * 4 * sh.Tokens; len(through)-n != want {
				return fmt.Errorf("%w: %d stamped chunks arrived, want %d", errLost, len(through)-n, want)
			}
		}
		for _, p := range []float64{50, 99} {
			res := Result{Figure: "relay", ID: fmt.Sprintf("relay.p%.0f.c%d", p, c), Unit: "ms", Measure: Added,
				Label: fmt.Sprintf("chunk relay p%.0f, %d concurrent", p, c),
				Value: through.pct(p), Baseline: base.pct(p),
				Note: fmt.Sprintf("%d chunks in %d bursts, %d/s per agent; model write → client read; baseline: the same read straight from the model",
					len(through), r.size.bursts, time.Second/sh.Gap)}
			if p == 99 {
				res.Target = "< 1"
			}
			r.add(res)
		}
	}
	return nil
}
