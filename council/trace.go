package council

import (
	"context"
	"encoding/json"
	"iter"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/provider"
)

// The span of a deliberation and the attributes MAGI adds to the GenAI
// semantic conventions (docs/OBSERVABILITY.md lists them all).
const (
	SpanDeliberate = "magi.deliberate"

	attrID        = attribute.Key("magi.deliberation.id")
	attrRule      = attribute.Key("magi.rule")
	attrRounds    = attribute.Key("magi.rounds")
	attrMaxRounds = attribute.Key("magi.rounds.max")
	attrCouncil   = attribute.Key("magi.council")
	attrConv      = attribute.Key("magi.conversation.id")
	attrParent    = attribute.Key("magi.parent.id")
	attrTurn      = attribute.Key("magi.turn")
	attrSimulated = attribute.Key("magi.simulated")
	attrDecision  = attribute.Key("magi.decision")
	attrStatus    = attribute.Key("magi.status")
	attrQuestion  = attribute.Key("magi.question")
	attrInTokens  = attribute.Key("magi.usage.input_tokens")
	attrOutTokens = attribute.Key("magi.usage.output_tokens")
	attrAgent     = attribute.Key("magi.agent")
	attrRound     = attribute.Key("magi.round")
	attrAttempt   = attribute.Key("magi.attempt")
	attrFallback  = attribute.Key("magi.fallback")
	// attrTTFC is the GenAI conventions' time to the first chunk of a
	// streamed answer, in seconds.
	attrTTFC = attribute.Key("gen_ai.response.time_to_first_chunk")
)

// maxCaptured bounds the answer text a span records when message content
// is captured: a span is not the place for a whole long answer.
const maxCaptured = 64 << 10

// startDeliberation starts the span of deliberation q, a child of the
// span or remote parent in ctx (an API request's traceparent): nothing
// when the council has no tracer.
func (c *Council) startDeliberation(ctx context.Context, q magi.Question) (context.Context, trace.Span) {
	if c.Tracer == nil {
		return ctx, trace.SpanFromContext(context.Background())
	}
	ctx, span := c.Tracer.Start(ctx, SpanDeliberate, trace.WithAttributes(attrID.String(q.ID), attrRule.String(string(q.Rule)),
		attrMaxRounds.Int(c.MaxRounds(q)), attrCouncil.String(c.name()), attrSimulated.Bool(c.Simulated())))
	if q.ParentID != "" {
		span.SetAttributes(attrConv.String(q.ConversationID), attrParent.String(q.ParentID), attrTurn.Int(q.Turn()))
	}
	if c.CaptureContent {
		span.SetAttributes(attrQuestion.String(q.Text))
	}
	return ctx, span
}

// endDeliberation ends the deliberation's span with its status.
func endDeliberation(span trace.Span, err error) {
	if !span.IsRecording() {
		return
	}
	status := magi.StatusCompleted
	if err != nil {
		ev := Fatal(err)
		status = magi.StatusOf(ev)
		if status == magi.StatusFailed || status == magi.StatusInterrupted {
			span.SetStatus(codes.Error, ev.Message)
			span.SetAttributes(semconv.ErrorTypeKey.String(ev.Code))
		}
	}
	span.SetAttributes(attrStatus.String(string(status)))
	span.End()
}

// traceID is the id of the trace of ctx's deliberation span, when it is
// recorded and sampled: the start event stores it.
func traceID(ctx context.Context) string {
	span := trace.SpanFromContext(ctx)
	if sc := span.SpanContext(); span.IsRecording() && sc.IsSampled() {
		return sc.TraceID().String()
	}
	return ""
}

// traceOutcome adds the outcome to ctx's deliberation span.
func traceOutcome(ctx context.Context, o magi.Outcome, rounds int, u magi.Usage) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(attrDecision.String(string(o.Decision)), attrRounds.Int(rounds),
			attrInTokens.Int64(u.InputTokens), attrOutTokens.Int64(u.OutputTokens))
	}
}

// call is one agent's turn in one round, as its spans name it.
type call struct {
	agent magi.Agent
	round int
	// attempts counts the calls made in the turn, retries and fallbacks
	// included: the number of each span's attempt.
	attempts int
}

// traced returns p with each call a span of the GenAI conventions (see
// tracedProvider); p itself when the council has no tracer.
func (c *Council) traced(p magi.Provider, cl *call, ref magi.ModelRef) magi.Provider {
	if c.Tracer == nil {
		return p
	}
	return tracedProvider{p: p, c: c, call: cl, ref: ref}
}

// tracedProvider makes a client span "chat MODEL" of each Stream: one
// per attempt, retries and fallbacks each their own, a child of the
// deliberation's span.
type tracedProvider struct {
	p    magi.Provider
	c    *Council
	call *call
	ref  magi.ModelRef
}

// Stream streams req from the provider within the span of the call.
func (t tracedProvider) Stream(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
	return func(yield func(magi.Delta, error) bool) {
		t.call.attempts++
		ctx, span := t.c.Tracer.Start(ctx, "chat "+req.Model, trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(t.attributes(req)...))
		if t.c.CaptureContent {
			span.SetAttributes(semconv.GenAISystemInstructionsKey.String(parts("", req.System)),
				semconv.GenAIInputMessagesKey.String(parts("user", req.Prompt)))
		}
		began := time.Now()
		var usage magi.Usage
		var text strings.Builder
		first := true
		for d, err := range t.p.Stream(ctx, req) {
			if err != nil {
				endCall(span, usage, err)
				yield(d, err)
				return
			}
			if d.Usage != nil {
				usage = *d.Usage
			}
			if d.Text != "" && first {
				first = false
				ttfc := time.Since(began)
				span.SetAttributes(attrTTFC.Float64(ttfc.Seconds()))
				span.AddEvent("gen_ai.first_chunk")
			}
			if t.c.CaptureContent && text.Len() < maxCaptured {
				text.WriteString(d.Text)
			}
			if !yield(d, nil) {
				break
			}
		}
		if t.c.CaptureContent {
			span.SetAttributes(semconv.GenAIOutputMessagesKey.String(parts("assistant", text.String())))
		}
		endCall(span, usage, nil)
	}
}

// attributes are the GenAI conventions' and MAGI's attributes of a call.
func (t tracedProvider) attributes(req magi.Request) []attribute.KeyValue {
	a := t.call.agent
	name := provider.GenAIName(t.ref.Provider)
	kvs := []attribute.KeyValue{semconv.GenAIOperationNameChat, semconv.GenAIProviderNameKey.String(name),
		attribute.String("gen_ai.system", name), semconv.GenAIRequestModel(req.Model),
		semconv.GenAIAgentID(string(a.ID)), semconv.GenAIAgentName(a.Name),
		attrAgent.String(string(a.ID)), attrRound.Int(t.call.round), attrAttempt.Int(t.call.attempts),
		attrFallback.Bool(t.ref.Provider != a.Provider || t.ref.Model != a.Model)}
	if req.Temperature != nil {
		kvs = append(kvs, semconv.GenAIRequestTemperature(*req.Temperature))
	}
	if req.MaxTokens > 0 {
		kvs = append(kvs, semconv.GenAIRequestMaxTokens(req.MaxTokens))
	}
	return kvs
}

// endCall ends a call's span with its usage and, when it failed, its error.
func endCall(span trace.Span, u magi.Usage, err error) {
	span.SetAttributes(semconv.GenAIUsageInputTokens(int(u.InputTokens)), semconv.GenAIUsageOutputTokens(int(u.OutputTokens)))
	if err != nil {
		kind := string(errorKind(err))
		if kind == "" {
			kind = "_OTHER"
		}
		span.SetAttributes(semconv.ErrorTypeKey.String(kind))
		span.SetStatus(codes.Error, magi.Redact(err.Error()))
	}
	span.End()
}

// parts is a message of the GenAI conventions' JSON form, with one text
// part: role "" is the system instructions' form (a list of parts).
func parts(role, text string) string {
	part := []map[string]string{{"type": "text", "content": text}}
	var v any = part
	if role != "" {
		msg := map[string]any{"role": role, "parts": part}
		if role == "assistant" {
			msg["finish_reason"] = "stop"
		}
		v = []any{msg}
	}
	b, _ := json.Marshal(v)
	return string(b)
}
