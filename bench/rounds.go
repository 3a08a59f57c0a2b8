package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/magi-system/magi"
)

// debate measures a deliberation of two rounds — CASPER rejects in round
// 1, so the sages debate, and all approve in round 2 — with SOLOMON slower
// than any sage:
//
//   - its wall time (request → complete) against the slowest sage of each
//     round plus SOLOMON, each call timed directly on the model;
//   - its time to decision, the tally event from the start of the last
//     round (the round event), against the slowest sage of that round: the
//     majority decides without SOLOMON, so the decision must not wait for
//     SOLOMON's call.
func (r *run) debate(ctx context.Context) error {
	sages := []magi.AgentID{magi.Melchior, magi.Balthasar, magi.Casper}
	sh := shape{Tokens: 3, Split: true, Agent: map[magi.AgentID]time.Duration{magi.Solomon: 2 * r.size.sage[2]}}
	for i, a := range sages {
		sh.Agent[a] = r.size.sage[i]
	}
	q := sh.question("rounds")
	var wall, critical, decision, lastRound, judged samples
	for range r.size.parallel {
		var slowest [2]time.Duration
		for round := range slowest {
			for _, a := range sages {
				d := r.api.ask(ctx, r.model.url, a, q)
				if d.Err != nil {
					return d.Err
				}
				slowest[round] = max(slowest[round], d.End.Sub(d.Start))
			}
		}
		j := r.api.ask(ctx, r.model.url, magi.Solomon, q)
		if j.Err != nil {
			return j.Err
		}
		s := r.api.deliberate(ctx, q)
		if !s.ok() {
			return fmt.Errorf("%w: %v", errLost, s.Err)
		}
		if s.Round.IsZero() || s.Tally.IsZero() {
			return errors.New("bench: the split deliberation did not debate a second round and tally it")
		}
		wall = append(wall, s.End.Sub(s.Start))
		critical = append(critical, slowest[0]+slowest[1]+j.End.Sub(j.Start))
		decision = append(decision, s.Tally.Sub(s.Round))
		lastRound = append(lastRound, slowest[1])
		judged = append(judged, s.End.Sub(s.Tally))
	}
	note := fmt.Sprintf("median of %d; two rounds, sages take %s, %s, %s, SOLOMON %s (model TTFT)", len(wall),
		sh.Agent[magi.Melchior], sh.Agent[magi.Balthasar], sh.Agent[magi.Casper], sh.Agent[magi.Solomon])
	r.add(Result{Figure: "parallel", ID: "parallel.rounds", Label: "two-round deliberation ÷ (slowest sage of each round + SOLOMON)",
		Unit: "ms", Value: wall.median(), Baseline: critical.median(), Measure: Ratio, Target: "<= 1.05", Note: note})
	r.add(Result{Figure: "parallel", ID: "parallel.decision", Label: "time to decision ÷ slowest sage of the last round",
		Unit: "ms", Value: decision.median(), Baseline: lastRound.median(), Measure: Ratio, Target: "<= 1.02",
		Note: fmt.Sprintf("the tally, from the round event; the majority decides without SOLOMON, whose judgement followed %.0f ms later", judged.median())})
	return nil
}
