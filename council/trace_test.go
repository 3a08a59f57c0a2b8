package council

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
)

// tracedRun runs one deliberation of a two-round council (MELCHIOR is
// refused once with a 429, CASPER disagrees in round 1) on a runner whose
// council traces into a span recorder, within the remote parent of ctx;
// it returns the ended spans and the record.
func tracedRun(t *testing.T, ctx context.Context, capture bool) ([]sdktrace.ReadOnlySpan, magi.Record, *fakellm.Server) {
	t.Helper()
	c, fake := openaiCouncil(t, func(req fakellm.Request, n int) fakellm.Reply {
		switch {
		case req.Agent == magi.Melchior && n == 1:
			return fakellm.Reply{Status: 429, Message: "slow down"}
		case req.Agent == magi.Casper && n == 1:
			return answer(magi.Rejected)
		case req.Agent == magi.Solomon:
			return fakellm.Reply{Text: judgeText}
		}
		return answer(magi.Approved)
	})
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	c.Tracer, c.CaptureContent, c.Rounds = tp.Tracer("test"), capture, 2
	r, writer := newRunner(c, 0)
	if err := r.Start(ctx, magi.Question{ID: "traced", Text: "Should we plant the orchard?", Rule: magi.Majority}); err != nil {
		t.Fatal(err)
	}
	if err := r.Shutdown(context.Background()); err != nil { // waits for the deliberation to end
		t.Fatal(err)
	}
	return rec.Ended(), magi.Project(writer("traced").all()), fake
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestTracing_DeliberationAndCalls(t *testing.T) {
	parent := trace.NewSpanContext(trace.SpanContextConfig{TraceID: [16]byte{0x4b, 0xf9, 1}, SpanID: [8]byte{0xf0, 7},
		TraceFlags: trace.FlagsSampled, Remote: true})
	spans, r, fake := tracedRun(t, trace.ContextWithRemoteSpanContext(context.Background(), parent), false)

	var delib sdktrace.ReadOnlySpan
	var chats []sdktrace.ReadOnlySpan
	for _, s := range spans {
		switch {
		case s.Name() == SpanDeliberate:
			delib = s
		case strings.HasPrefix(s.Name(), "chat "):
			chats = append(chats, s)
		}
	}
	if delib == nil {
		t.Fatalf("no %s span among %d", SpanDeliberate, len(spans))
	}
	if delib.Parent().SpanID() != parent.SpanID() || delib.SpanContext().TraceID() != parent.TraceID() {
		t.Errorf("the deliberation's parent is %v, want the request's %v", delib.Parent(), parent)
	}
	if r.TraceID != parent.TraceID().String() {
		t.Errorf("the record's trace id is %q, want %s", r.TraceID, parent.TraceID())
	}
	da := attrs(delib)
	for k, want := range map[attribute.Key]string{attrID: "traced", attrRule: "majority", attrCouncil: "default",
		attrDecision: string(r.Decision), attrStatus: "completed"} {
		if got := da[k].AsString(); got != want {
			t.Errorf("deliberation %s = %q, want %q", k, got, want)
		}
	}
	if da[attrRounds].AsInt64() != 2 || da[attrMaxRounds].AsInt64() != 2 {
		t.Errorf("deliberation rounds %d of %d, want 2 of 2", da[attrRounds].AsInt64(), da[attrMaxRounds].AsInt64())
	}

	// Round 1: three sages and MELCHIOR's retry; round 2: three sages; SOLOMON.
	if len(chats) != 8 || fake.Requests() != 8 {
		t.Fatalf("%d chat spans for %d model calls, want 8", len(chats), fake.Requests())
	}
	sum := map[[2]string]magi.Usage{}
	for _, s := range chats {
		a := attrs(s)
		if s.Parent().SpanID() != delib.SpanContext().SpanID() || s.SpanKind() != trace.SpanKindClient {
			t.Errorf("%s is not a client span under the deliberation", s.Name())
		}
		if a["gen_ai.operation.name"].AsString() != "chat" || a["gen_ai.provider.name"].AsString() != "openai" ||
			a["gen_ai.system"].AsString() != "openai" || a["gen_ai.request.model"].AsString() != "fake-model" || s.Name() != "chat fake-model" {
			t.Errorf("%s lacks the GenAI attributes: %v", s.Name(), a)
		}
		agent, round, attempt := a[attrAgent].AsString(), a[attrRound].AsInt64(), a[attrAttempt].AsInt64()
		failed := agent == "melchior" && round == 1 && attempt == 1
		if failed != (s.Status().Code == codes.Error) || failed != (a["error.type"].AsString() == string(magi.KindRateLimited)) {
			t.Errorf("%s round %d attempt %d: status %v, error.type %q", agent, round, attempt, s.Status(), a["error.type"].AsString())
		}
		if !failed && a[attrTTFC].AsFloat64() <= 0 {
			t.Errorf("%s round %d has no time to first chunk", agent, round)
		}
		if _, ok := a["gen_ai.input.messages"]; ok {
			t.Errorf("%s records the prompt, which was not asked for", agent)
		}
		key := [2]string{agent, string(rune('0' + round))}
		u := sum[key]
		u.InputTokens += a["gen_ai.usage.input_tokens"].AsInt64()
		u.OutputTokens += a["gen_ai.usage.output_tokens"].AsInt64()
		sum[key] = u
	}
	for _, rr := range r.Rounds {
		for _, ag := range rr.Agents {
			got := sum[[2]string{string(ag.ID), string(rune('0' + rr.Round))}]
			if got.InputTokens != ag.Usage.InputTokens || got.OutputTokens != ag.Usage.OutputTokens || got.OutputTokens == 0 {
				t.Errorf("%s round %d: spans count %d/%d tokens, the record %d/%d", ag.ID, rr.Round,
					got.InputTokens, got.OutputTokens, ag.Usage.InputTokens, ag.Usage.OutputTokens)
			}
		}
	}
	judge := r.Agents[3]
	if got := sum[[2]string{"solomon", "2"}]; got.OutputTokens != judge.Usage.OutputTokens || got.OutputTokens == 0 {
		t.Errorf("SOLOMON: spans count %d output tokens, the record %d", got.OutputTokens, judge.Usage.OutputTokens)
	}
}

func TestTracing_MessageContentOnlyWhenAskedFor(t *testing.T) {
	spans, _, _ := tracedRun(t, context.Background(), true)
	var prompts, answers int
	for _, s := range spans {
		a := attrs(s)
		if s.Name() == SpanDeliberate {
			if a[attrQuestion].AsString() != "Should we plant the orchard?" {
				t.Errorf("the deliberation span lacks the question: %v", a)
			}
			if s.Parent().IsValid() {
				t.Errorf("a deliberation with no request trace has a parent: %v", s.Parent())
			}
		}
		if strings.Contains(a["gen_ai.input.messages"].AsString(), "Should we plant the orchard?") {
			prompts++
		}
		if strings.Contains(a["gen_ai.output.messages"].AsString(), `"role":"assistant"`) && a["gen_ai.system_instructions"].AsString() != "" {
			answers++
		}
	}
	if prompts != 8 || answers != 7 { // the call refused with a 429 has no answer
		t.Errorf("%d spans with the prompt, %d with the answer and the persona; want 8 and 7", prompts, answers)
	}
}

func TestTracing_OffMakesNoSpanAndNoTraceID(t *testing.T) {
	c, _ := openaiCouncil(t, func(req fakellm.Request, n int) fakellm.Reply {
		if req.Agent == magi.Solomon {
			return fakellm.Reply{Text: judgeText}
		}
		return answer(magi.Approved)
	})
	r, writer := newRunner(c, 0)
	if err := r.Start(context.Background(), magi.Question{ID: "plain", Text: "q", Rule: magi.Majority}); err != nil {
		t.Fatal(err)
	}
	if err := r.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	start := writer("plain").of(magi.EventStart, "")
	if len(start) != 1 || start[0].TraceID != "" {
		t.Errorf("start events %+v: want one, without a trace id", start)
	}
	if p := c.traced(c.Providers["openai"], &call{}, magi.ModelRef{}); p != c.Providers["openai"] {
		t.Error("a council without a tracer wraps its providers")
	}
	q := magi.Question{ID: "x", Text: "q", Rule: magi.Majority}
	ctx := context.Background()
	if n := testing.AllocsPerRun(100, func() {
		dctx, span := c.startDeliberation(ctx, q)
		_ = traceID(dctx)
		traceOutcome(dctx, magi.Outcome{}, 1, magi.Usage{})
		endDeliberation(span, nil)
	}); n != 0 {
		t.Errorf("an untraced deliberation allocates %v times for its spans", n)
	}
}

func TestTracing_FollowUpNamesItsConversation(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	c := &Council{Tracer: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)).Tracer("test")}
	q := magi.Question{ID: "second", Text: "And the east field?", Rule: magi.Majority,
		ConversationID: "first", ParentID: "first", Earlier: make([]magi.Turn, 1)}
	_, span := c.startDeliberation(context.Background(), q)
	endDeliberation(span, nil)
	_, span = c.startDeliberation(context.Background(), magi.Question{ID: "first", Text: "q", Rule: magi.Majority})
	endDeliberation(span, nil)
	ended := rec.Ended()
	follow, first := attrs(ended[0]), attrs(ended[1])
	if follow[attrConv].AsString() != "first" || follow[attrParent].AsString() != "first" || follow[attrTurn].AsInt64() != 2 {
		t.Errorf("a follow-up's span: %v", follow)
	}
	if _, ok := first[attrConv]; ok {
		t.Errorf("a first question's span names a conversation: %v", first)
	}
}
