package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/magi-system/magi"
)

// parallel measures a deliberation's wall time (request → complete)
// against the slowest sage plus SOLOMON, and against the serial sum, each
// agent's time measured by calling the model directly.
func (r *run) parallel(ctx context.Context) error {
	agents := []magi.AgentID{magi.Melchior, magi.Balthasar, magi.Casper, magi.Solomon}
	sh := shape{Tokens: 3, Agent: map[magi.AgentID]time.Duration{}}
	for i, a := range agents {
		sh.Agent[a] = r.size.sage[i]
	}
	q := sh.question("parallel")
	var wall, critical, serial samples
	for range r.size.parallel {
		took := map[magi.AgentID]time.Duration{}
		for _, a := range agents {
			d := r.api.ask(ctx, r.model.url, a, q)
			if d.Err != nil {
				return d.Err
			}
			took[a] = d.End.Sub(d.Start)
		}
		slowest := max(took[magi.Melchior], took[magi.Balthasar], took[magi.Casper])
		critical = append(critical, slowest+took[magi.Solomon])
		serial = append(serial, took[magi.Melchior]+took[magi.Balthasar]+took[magi.Casper]+took[magi.Solomon])
		s := r.api.deliberate(ctx, q)
		if !s.ok() {
			return fmt.Errorf("%w: %v", errLost, s.Err)
		}
		wall = append(wall, s.End.Sub(s.Start))
	}
	note := fmt.Sprintf("median of %d; sages take %s, %s, %s, SOLOMON %s (model TTFT)", len(wall),
		r.size.sage[0], r.size.sage[1], r.size.sage[2], r.size.sage[3])
	r.add(Result{Figure: "parallel", ID: "parallel.critical", Label: "deliberation ÷ (slowest sage + SOLOMON)",
		Unit: "ms", Value: wall.median(), Baseline: critical.median(), Measure: Ratio, Target: "<= 1.05", Note: note})
	r.add(Result{Figure: "parallel", ID: "parallel.serial", Label: "deliberation ÷ serial sum of agents",
		Unit: "ms", Value: wall.median(), Baseline: serial.median(), Measure: Ratio, Note: note})
	return r.debate(ctx)
}

// streamed measures the time to the first visible words through MAGI
// against waiting for the whole deliberation (the complete event: what a
// client of buffered answers waits for, with the same model timings).
func (r *run) streamed(ctx context.Context) error {
	sh := r.size.streamShape
	q := sh.question("streamed")
	var first, whole samples
	for range r.size.streamed {
		s := r.api.deliberate(ctx, q)
		if !s.ok() {
			return fmt.Errorf("%w: %v", errLost, s.Err)
		}
		first = append(first, s.FirstChunk.Sub(s.Start))
		whole = append(whole, s.End.Sub(s.Start))
	}
	r.add(Result{Figure: "streamed", ID: "streamed.first", Label: "first words, streamed ÷ buffered", Unit: "ms",
		Value: first.median(), Baseline: whole.median(), Measure: Ratio, Target: "< 0.1",
		Note: fmt.Sprintf("median of %d; model TTFT %s, %d prose tokens %s apart per agent; baseline: the complete event", len(first), sh.TTFT, sh.Tokens, sh.Gap)})
	return nil
}
