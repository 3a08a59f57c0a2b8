package council

import (
	"context"
	"sync"

	"github.com/magi-system/magi"
)

// debated is what the rounds of a debate left: every round's answers
// (only the latest keeps its texts), the votes that changed, the usage.
type debated struct {
	rounds  [][]magi.SageAnswer
	changes []magi.VoteChange
	usage   magi.Usage
}

// verdicts are the sages' verdicts of round n.
func (d *debated) verdicts(n int) []magi.Verdict {
	out := make([]magi.Verdict, len(d.rounds[n-1]))
	for i, a := range d.rounds[n-1] {
		out[i] = a.Verdict
	}
	return out
}

// debate runs round 1, then a further round while the votes are split and
// rounds remain.
func (c *Council) debate(ctx context.Context, q magi.Question, out Emitter) (*debated, error) {
	d := &debated{usage: zeroUsage()}
	for round := 1; round <= c.MaxRounds(q); round++ {
		var before []magi.SageAnswer
		if round > 1 {
			before = d.rounds[round-2]
			votes := d.verdicts(round - 1)
			if !magi.Split(votes) {
				break
			}
			out.Emit(magi.Event{Type: magi.EventRound, Round: round, Reason: magi.SplitReason(round-1, votes)})
		}
		turns := c.sages(ctx, q, round, before, inRound{out, round})
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		if err := noVerdict(turns); err != nil {
			return nil, err
		}
		answers := make([]magi.SageAnswer, len(turns))
		for i, t := range turns {
			d.usage = d.usage.Add(t.usage)
			answers[i] = magi.SageAnswer{Agent: t.info, Round: round, Text: t.text, Verdict: t.verdict}
			if from := t.verdict.ChangedFrom; from != "" {
				d.changes = append(d.changes, magi.VoteChange{Name: t.info.Name, Round: round, From: from, To: t.verdict.Decision})
			}
		}
		if round > 1 {
			for i := range before {
				before[i].Text = "" // only the latest round's texts are quoted again
			}
		}
		d.rounds = append(d.rounds, answers)
	}
	return d, nil
}

// sages runs the three sages of one round concurrently and waits for all
// of them. In a round after the first each reads the answers of the round
// before.
func (c *Council) sages(ctx context.Context, q magi.Question, round int, before []magi.SageAnswer, out Emitter) []turn {
	turns := make([]turn, len(magi.Sages))
	var wg sync.WaitGroup
	for i, id := range magi.Sages {
		a := c.Agents[id]
		n := nonce()
		prompt, was := magi.SagePrompt(q.Text), magi.Decision("")
		if round > 1 {
			prompt = magi.DebatePrompt(q.Text, a.Info(), round, before, n)
			was = before[i].Verdict.Decision
		}
		prompt = c.prompt(q, n, prompt)
		wg.Go(func() {
			turns[i] = c.turn(ctx, a, prompt, was, out)
		})
	}
	wg.Wait()
	return turns
}

// inRound is an Emitter that marks each event with its round; round 1 is
// left unmarked, as events were before rounds existed.
type inRound struct {
	out   Emitter
	round int
}

// Emit sets e's round and emits it.
func (r inRound) Emit(e magi.Event) {
	if r.round > 1 {
		e.Round = r.round
	}
	r.out.Emit(e)
}
