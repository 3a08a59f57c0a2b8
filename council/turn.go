package council

import (
	"context"
	"errors"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/provider"
)

// turn is one agent's part: its streamed text, verdict and usage.
type turn struct {
	info    magi.AgentInfo
	text    string
	verdict magi.Verdict
	usage   magi.Usage
	err     error
}

// turn runs one agent to its verdict: the primary model, then its
// fallbacks while nothing has streamed yet. A failure becomes an ABSTAINED
// verdict with a non-fatal error event; it never stops the council. was is
// the sage's vote of the round before, if any: a verdict that differs from
// it says so (ChangedFrom).
func (c *Council) turn(ctx context.Context, a magi.Agent, prompt string, was magi.Decision, out Emitter) turn {
	began := time.Now()
	ctx, cancel := context.WithTimeout(ctx, a.Timeout)
	defer cancel()

	t := turn{info: a.Info(), usage: magi.Usage{}}
	var text transcript
	for i, ref := range a.Models() {
		stage := magi.StageAgentStart
		if i > 0 {
			stage = magi.StageFallback
		}
		t.info.Provider, t.info.Model = ref.Provider, ref.Model
		out.Emit(magi.Event{Type: magi.EventTrace, Agent: a.ID, Stage: stage,
			Trace: &magi.Trace{Provider: ref.Provider, Model: ref.Model, Attempt: 1}})
		req := magi.Request{Agent: a.ID, Model: ref.Model, System: a.Persona, Prompt: prompt,
			Temperature: a.Temperature, MaxTokens: a.MaxTokens}
		t.usage, t.err = c.stream(ctx, a.ID, ref, req, &text, out)
		if t.err == nil || text.Len() > 0 || ctx.Err() != nil {
			break
		}
	}
	t.text = text.String()
	t.usage.CostUSD = c.cost(t.info.Model, t.usage)
	switch {
	case ctx.Err() != nil && context.Cause(ctx) != context.DeadlineExceeded:
		// The council was stopped; the caller ends the stream.
		t.verdict = magi.Abstain("the deliberation was stopped")
		return t
	case t.err != nil:
		t.verdict = magi.Abstain(t.err.Error())
		out.Emit(magi.Event{Type: magi.EventError, Agent: a.ID, Code: errorCode(t.err),
			Message: t.err.Error()})
	default:
		t.verdict = magi.ParseVerdict(t.text)
	}
	if a.ID != magi.Solomon {
		t.verdict.Scores = nil
		t.verdict.ChangedFrom = magi.Changed(was, t.verdict.Decision)
	}
	out.Emit(magi.Event{Type: magi.EventTrace, Agent: a.ID, Stage: magi.StageAgentDone,
		Trace: &magi.Trace{Provider: t.info.Provider, Model: t.info.Model,
			DurationMS: ms(time.Since(began)), Tokens: &t.usage, Error: errString(t.err), ErrorKind: errorKind(t.err)}})
	out.Emit(magi.Event{Type: magi.EventVerdict, Agent: a.ID, Verdict: &t.verdict})
	return t
}

// stream calls one model, with retries before the first token, emitting
// each delta as a chunk the moment it arrives.
func (c *Council) stream(ctx context.Context, id magi.AgentID, ref magi.ModelRef, req magi.Request,
	text *transcript, out Emitter) (magi.Usage, error) {
	p := c.Providers[ref.Provider]
	if p == nil {
		return magi.Usage{}, magi.Errorf(magi.ECONFIG, "agent %s: provider %q is not configured", id, ref.Provider)
	}
	began := time.Now()
	// attempt is the number of the call about to be made: 2 for the first
	// retry (see provider.Retry).
	onRetry := func(attempt int, delay time.Duration, err error) {
		out.Emit(magi.Event{Type: magi.EventTrace, Agent: id, Stage: magi.StageRetry,
			Trace: &magi.Trace{Provider: ref.Provider, Model: ref.Model, Attempt: attempt,
				DelayMS: ms(delay), Error: err.Error(), ErrorKind: errorKind(err)}})
	}
	var usage magi.Usage
	first := true
	for d, err := range provider.Retry(ctx, p, req, c.Retry, onRetry) {
		if err != nil {
			return usage, err
		}
		if d.Usage != nil {
			usage = *d.Usage
		}
		if d.Text == "" {
			continue
		}
		if first {
			first = false
			out.Emit(magi.Event{Type: magi.EventTrace, Agent: id, Stage: magi.StageFirstToken,
				Trace: &magi.Trace{Provider: ref.Provider, Model: ref.Model, LatencyMS: ms(time.Since(began))}})
		}
		text.WriteString(d.Text)
		out.Emit(magi.Event{Type: magi.EventChunk, Agent: id, Content: d.Text})
	}
	return usage, nil
}

func (c *Council) cost(model string, u magi.Usage) *float64 {
	if u.CostUSD != nil {
		return u.CostUSD
	}
	if c.Cost == nil {
		return nil
	}
	return c.Cost(model, u)
}

func errorKind(err error) magi.ErrorKind {
	var pe *magi.ProviderError
	if errors.As(err, &pe) {
		return pe.Kind
	}
	return ""
}

func errorCode(err error) string {
	if k := errorKind(err); k != "" {
		return "provider_" + string(k)
	}
	return magi.ErrorCode(err)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
