package council

import (
	"context"
	"iter"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// The rounds of debate when things go wrong: a sage failing, abstaining,
// timing out only in round 2; a cancel or a shutdown during round 2; a
// round without a verdict. Each works as it does in round 1.

func TestRounds_SageFailsOnlyInRound2(t *testing.T) {
	checkNoLeak(t)
	down := func(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
		return fail(&magi.ProviderError{Kind: magi.KindUnavailable, Provider: "fake", Model: "m", Detail: "overloaded"})
	}
	c := scripted(map[magi.AgentID]streamFunc{magi.Melchior: votes(magi.Approved), magi.Balthasar: byRound(votes(magi.Rejected), down),
		magi.Casper: votes(magi.Approved), magi.Solomon: say(judgeText, 0)})
	var rec recorder
	o, err := c.Deliberate(context.Background(), magi.Question{ID: "d", Text: "q", Rule: magi.Majority, Rounds: 2}, &rec)
	if err != nil {
		t.Fatal(err)
	}
	if o.Votes != (magi.Votes{Approved: 2, Abstained: 1}) || o.Decision != magi.Approved {
		t.Errorf("outcome = %+v, want the final round counted: 2 approved, BALTHASAR abstained", o)
	}
	errs := rec.of(magi.EventError, magi.Balthasar)
	if len(errs) != 1 || errs[0].Round != 2 || errs[0].Fatal || errs[0].Code != "provider_unavailable" {
		t.Fatalf("balthasar errors = %+v, want one non-fatal of round 2", errs)
	}
	var attempts []int
	for _, e := range rec.of(magi.EventTrace, magi.Balthasar) {
		if e.Stage == magi.StageRetry {
			if e.Round != 2 {
				t.Errorf("a retry of round 2 is marked round %d", e.Round)
			}
			attempts = append(attempts, e.Trace.Attempt)
		}
	}
	if !cmp.Equal(attempts, []int{2, 3}) {
		t.Errorf("round 2 retries name attempts %v, want [2 3], as in round 1", attempts)
	}
	v := rec.of(magi.EventVerdict, magi.Balthasar)
	if len(v) != 2 || v[1].Verdict.Decision != magi.Abstained || v[1].Verdict.ChangedFrom != "" || v[1].Round != 2 {
		t.Errorf("balthasar's round 2 verdict = %+v, want ABSTAINED, not a change of vote", v[1])
	}
	r := magi.Project(rec.all())
	if r.Rounds[0].Agents[1].Verdict.Decision != magi.Rejected || r.Rounds[0].Agents[1].Error != "" ||
		r.Agents[1].Error == "" || r.Agents[1].Attempts != 3 {
		t.Errorf("record: balthasar round 1 %+v, final %+v", r.Rounds[0].Agents[1], r.Agents[1])
	}
	if strings.Contains(o.Note, "changed") {
		t.Errorf("note = %q: a failure is not a change of vote", o.Note)
	}
}

// A sage that abstains in round 1 is asked again in round 2, and a fallback
// works in round 2 as in round 1.
func TestRounds_AbstainedIsAskedAgainAndFallsBack(t *testing.T) {
	checkNoLeak(t)
	var seen prompts
	c := scripted(map[magi.AgentID]streamFunc{
		magi.Melchior: seen.wrap(magi.Melchior, byRound(say("I cannot say.", 0), func(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
			return fail(&magi.ProviderError{Kind: magi.KindNotFound, Provider: "fake-melchior", Model: req.Model})
		})),
		magi.Balthasar: votes(magi.Approved), magi.Casper: votes(magi.Approved), magi.Solomon: say(judgeText, 0)})
	a := c.Agents[magi.Melchior]
	a.Fallbacks = []magi.ModelRef{{Provider: "fake-casper", Model: "backup"}}
	c.Agents[magi.Melchior] = a
	var rec recorder
	o, err := c.Deliberate(context.Background(), magi.Question{ID: "d", Text: "q", Rule: magi.Majority, Rounds: 2}, &rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen.of(magi.Melchior)) != 2 || o.Votes.Approved != 3 {
		t.Errorf("melchior asked %d times, votes %+v; want asked again in round 2 and answered by its fallback", len(seen.of(magi.Melchior)), o.Votes)
	}
	var stages []string
	for _, e := range rec.of(magi.EventTrace, magi.Melchior) {
		if e.Round == 2 {
			stages = append(stages, e.Stage)
		}
	}
	if diff := cmp.Diff([]string{magi.StageAgentStart, magi.StageFallback, magi.StageFirstToken, magi.StageAgentDone}, stages); diff != "" {
		t.Errorf("melchior's round 2 traces (-want +got):\n%s", diff)
	}
	if v := rec.of(magi.EventVerdict, magi.Melchior); v[1].Verdict.ChangedFrom != "" {
		t.Errorf("ABSTAINED → APPROVED is not a change of vote: %+v", v[1].Verdict)
	}
}

// roundTwoHangs is a council whose sages split in round 1 and hang in
// round 2 until their context ends; started is closed when all three have
// begun round 2.
func roundTwoHangs() (*Council, <-chan struct{}) {
	var once sync.Once
	var n sync.WaitGroup
	n.Add(3)
	started := make(chan struct{})
	go func() { n.Wait(); once.Do(func() { close(started) }) }()
	hang := func(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
		return func(yield func(magi.Delta, error) bool) {
			if !yield(magi.Delta{Text: "Reconsidering "}, nil) {
				return
			}
			n.Done()
			<-ctx.Done()
			yield(magi.Delta{}, &magi.ProviderError{Kind: magi.KindCancelled, Err: ctx.Err()})
		}
	}
	c := scripted(map[magi.AgentID]streamFunc{magi.Melchior: byRound(votes(magi.Approved), hang),
		magi.Balthasar: byRound(votes(magi.Rejected), hang), magi.Casper: byRound(votes(magi.Approved), hang), magi.Solomon: say(judgeText, 0)})
	return c, started
}

func TestRounds_CancelAndShutdownDuringRound2(t *testing.T) {
	for _, tt := range []struct {
		name string
		stop func(r *Runner)
		code string
	}{
		{"cancel", func(r *Runner) { r.Cancel("r2") }, magi.ECANCELLED},
		{"shutdown", func(r *Runner) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // no grace: cancel at once
			_ = r.Shutdown(ctx)
		}, magi.ESHUTDOWN},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkNoLeak(t)
			c, started := roundTwoHangs()
			r, writer := newRunner(c, 0)
			if err := r.Start(context.Background(), magi.Question{ID: "r2", Text: "q", Rule: magi.Majority, Rounds: 2}); err != nil {
				t.Fatal(err)
			}
			<-started
			tt.stop(r)
			w := writer("r2")
			<-w.closed
			events := w.all()
			last := events[len(events)-1]
			if last.Type != magi.EventError || !last.Fatal || last.Code != tt.code {
				t.Errorf("last event = %+v, want fatal %s", last, tt.code)
			}
			if len(w.of(magi.EventRound, "")) != 1 || len(w.of(magi.EventTally, "")) != 0 || len(w.of(magi.EventComplete, "")) != 0 {
				t.Error("want a round 2 that ended with the stop: no tally, no complete")
			}
			if err := r.Shutdown(context.Background()); err != nil { // waits for the runner to release it
				t.Errorf("Shutdown after the stop = %v", err)
			}
			if r.Running() != 0 {
				t.Errorf("Running = %d", r.Running())
			}
		})
	}
}

// A hung sage of round 2 times out as it would in round 1.
func TestRounds_TimeoutInRound2(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hung := func(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
			return func(yield func(magi.Delta, error) bool) {
				<-ctx.Done()
				yield(magi.Delta{}, &magi.ProviderError{Kind: magi.KindTimeout, Provider: "fake", Model: "m", Err: ctx.Err()})
			}
		}
		c := scripted(map[magi.AgentID]streamFunc{magi.Melchior: votes(magi.Approved), magi.Balthasar: byRound(votes(magi.Rejected), hung),
			magi.Casper: votes(magi.Approved), magi.Solomon: say(judgeText, 0)})
		a := c.Agents[magi.Balthasar]
		a.Timeout = time.Minute
		c.Agents[magi.Balthasar] = a
		var rec recorder
		began := time.Now()
		o, err := c.Deliberate(context.Background(), magi.Question{ID: "d", Text: "q", Rule: magi.Majority, Rounds: 2}, &rec)
		if err != nil || o.Votes.Abstained != 1 {
			t.Fatalf("Deliberate = %+v, %v; want BALTHASAR abstained in round 2", o, err)
		}
		if took := time.Since(began); took != time.Minute {
			t.Errorf("took %v of virtual time, want the one-minute timeout of round 2", took)
		}
		if e := rec.of(magi.EventError, magi.Balthasar); len(e) != 1 || e[0].Code != "provider_timeout" || e[0].Round != 2 {
			t.Errorf("balthasar errors = %+v, want a round 2 provider_timeout", e)
		}
	})
}

// A round in which no sage produced a verdict ends the deliberation as
// round 1 would: a fatal no_verdict naming the cause, and no SOLOMON.
func TestRounds_NoVerdictInRound2(t *testing.T) {
	checkNoLeak(t)
	down := func(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
		return fail(&magi.ProviderError{Kind: magi.KindAuth, Provider: "fake", Model: "m", Detail: "key revoked"})
	}
	var judged bool
	c := scripted(map[magi.AgentID]streamFunc{magi.Melchior: byRound(votes(magi.Approved), down),
		magi.Balthasar: byRound(votes(magi.Rejected), down), magi.Casper: byRound(votes(magi.Approved), down),
		magi.Solomon: func(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
			judged = true
			return words(ctx, judgeText, 0)
		}})
	var rec recorder
	_, err := c.Deliberate(context.Background(), magi.Question{ID: "d", Text: "q", Rule: magi.Majority, Rounds: 2}, &rec)
	if magi.ErrorCode(err) != magi.ENOVERDICT || !strings.Contains(err.Error(), "key revoked") {
		t.Fatalf("err = %v, want no_verdict naming the cause", err)
	}
	if judged || len(rec.of(magi.EventTally, "")) != 0 {
		t.Error("no tally and no SOLOMON after a round without verdicts")
	}
}
