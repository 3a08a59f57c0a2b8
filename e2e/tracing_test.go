package e2e

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/fakeotlp"
	"github.com/magi-system/magi/internal/magitest"
)

// The secrets the tracing tests plant where MAGI could leak them.
const (
	plantedKey      = "sk-plantedkey0123456789"
	plantedPassword = "plantedpass987"
	plantedInPrompt = "sk-promptsecret5555"
	callerTrace     = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpan      = "00f067aa0ba902b7"
)

// splitUpstream is a fake upstream whose CASPER rejects in round 1 and
// everyone approves after: two rounds, seven calls.
func splitUpstream(t *testing.T) (*fakellm.Server, string) {
	var mu sync.Mutex
	calls := map[magi.AgentID]int{}
	return magitest.StartFake(t, fakellm.Config{Words: 12, Gap: time.Millisecond, Script: func(req fakellm.Request) fakellm.Reply {
		mu.Lock()
		defer mu.Unlock()
		calls[req.Agent]++
		if req.Agent == magi.Casper && calls[req.Agent] == 1 {
			return fakellm.Reply{Text: fakellm.DefaultText(req.Agent, 12, "REJECTED")}
		}
		return fakellm.Reply{}
	}})
}

// tracedMagi runs magi serve against upstream, exporting to a new
// collector over OTLP/HTTP, with the planted secrets in its key and its
// base URL, and env on top.
func tracedMagi(t *testing.T, upstream string, env ...string) (*magitest.Proc, *fakeotlp.Collector) {
	t.Helper()
	col := fakeotlp.New()
	srv := httptest.NewServer(col)
	t.Cleanup(srv.Close)
	withPassword := strings.Replace(upstream, "http://", "http://magi:"+plantedPassword+"@", 1)
	vars := append([]string{"OPENAI_BASE_URL", withPassword, "MAGI_MODEL", "fake-model", "OPENAI_API_KEY", plantedKey,
		"OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL, "OTEL_BSP_SCHEDULE_DELAY", "50"}, env...)
	m := map[string]string{}
	for i := 0; i+1 < len(vars); i += 2 {
		m[vars[i]] = vars[i+1]
	}
	return startMagi(t, m), col
}

// askTraced puts question to p with a traceparent and returns its events.
func askTraced(t *testing.T, p *magitest.Proc, question string) []magitest.Event {
	t.Helper()
	ctx := magitest.Context(t, 30*time.Second)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.URL+"/api/deliberations",
		strings.NewReader(`{"question": "`+question+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Traceparent", "00-"+callerTrace+"-"+callerSpan+"-01")
	evs := magitest.OpenStream(t, req).All(t)
	if end := magitest.Last(t, evs); end.Type != magi.EventComplete {
		t.Fatalf("the deliberation ended with %+v", end)
	}
	return evs
}

// waitTrace waits until the collector holds the deliberation's span and
// its n model calls.
func waitTrace(t *testing.T, col *fakeotlp.Collector, calls int) []fakeotlp.Span {
	t.Helper()
	spans, err := col.WaitFor(magitest.Context(t, 20*time.Second), func(s []fakeotlp.Span) bool {
		return len(fakeotlp.Named(s, "magi.deliberate")) == 1 && len(fakeotlp.Named(s, "chat fake-model")) == calls &&
			len(fakeotlp.Named(s, "magi.stream")) == 1
	})
	if err != nil {
		t.Fatalf("the collector has %d spans: %v", len(spans), err)
	}
	return spans
}

// TestTracing_ADeliberationIsOneTrace runs the real binary with
// OTEL_EXPORTER_OTLP_ENDPOINT set, as a user would, and reads back what it
// exported: the deliberation under the caller's traceparent, each model
// call under it with the GenAI attributes and the record's token counts,
// an HTTP client span under each call whose id the model received in its
// traceparent; no prompt, answer or secret.
func TestTracing_ADeliberationIsOneTrace(t *testing.T) {
	fake, url := splitUpstream(t)
	p, col := tracedMagi(t, url)
	question := "Should we plant an orchard? " + plantedInPrompt
	evs := askTraced(t, p, question)
	spans := waitTrace(t, col, 7)
	rec := magitest.Record(t, p.URL, evs[0].Event.DeliberationID)

	delib := fakeotlp.Named(spans, "magi.deliberate")[0]
	if delib.TraceID != callerTrace || delib.ParentID != callerSpan {
		t.Errorf("deliberation span in trace %s under %s, want the caller's %s under %s", delib.TraceID, delib.ParentID, callerTrace, callerSpan)
	}
	if rec.TraceID != callerTrace || evs[0].Event.TraceID != callerTrace {
		t.Errorf("the record's trace id is %q, the start event's %q; want %s", rec.TraceID, evs[0].Event.TraceID, callerTrace)
	}
	for k, want := range map[string]any{"magi.deliberation.id": rec.ID, "magi.rule": "majority", "magi.rounds": int64(2),
		"magi.council": "default", "magi.decision": string(rec.Decision), "magi.status": "completed"} {
		if delib.Attrs[k] != want {
			t.Errorf("deliberation %s = %v, want %v", k, delib.Attrs[k], want)
		}
	}
	if delib.Resource["service.name"] != "magi" {
		t.Errorf("service.name = %v", delib.Resource["service.name"])
	}
	stream := fakeotlp.Named(spans, "magi.stream")[0]
	if stream.ParentID != callerSpan || stream.Attrs["magi.stream.events"] != int64(len(evs)) {
		t.Errorf("stream span under %s with %v events; want under %s with %d", stream.ParentID, stream.Attrs["magi.stream.events"], callerSpan, len(evs))
	}

	byID := map[string]fakeotlp.Span{}
	for _, s := range spans {
		byID[s.SpanID] = s
	}
	tokens := map[string]magi.Usage{}
	httpUnder := map[string]string{} // HTTP client span id → its chat span id
	for _, s := range spans {
		if parent, ok := byID[s.ParentID]; ok && strings.HasPrefix(parent.Name, "chat ") {
			httpUnder[s.SpanID] = parent.SpanID
		}
	}
	for _, c := range fakeotlp.Named(spans, "chat fake-model") {
		if c.ParentID != delib.SpanID || c.TraceID != callerTrace || c.Kind != 3 { // SPAN_KIND_CLIENT
			t.Errorf("chat span %s: parent %s, trace %s, kind %v", c.Attrs["magi.agent"], c.ParentID, c.TraceID, c.Kind)
		}
		for k, want := range map[string]any{"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
			"gen_ai.system": "openai", "gen_ai.request.model": "fake-model"} {
			if c.Attrs[k] != want {
				t.Errorf("chat span %v: %s = %v, want %v", c.Attrs["magi.agent"], k, c.Attrs[k], want)
			}
		}
		if ttfc, _ := c.Attrs["gen_ai.response.time_to_first_chunk"].(float64); ttfc <= 0 {
			t.Errorf("chat span %v has no time to first chunk", c.Attrs["magi.agent"])
		}
		key := c.Attrs["magi.agent"].(string) + "/" + strconv.FormatInt(c.Attrs["magi.round"].(int64), 10)
		u := tokens[key]
		u.InputTokens += c.Attrs["gen_ai.usage.input_tokens"].(int64)
		u.OutputTokens += c.Attrs["gen_ai.usage.output_tokens"].(int64)
		tokens[key] = u
	}
	for _, r := range rec.Rounds {
		for _, a := range r.Agents {
			got := tokens[string(a.ID)+"/"+strconv.Itoa(r.Round)]
			if got.InputTokens != a.Usage.InputTokens || got.OutputTokens != a.Usage.OutputTokens || got.OutputTokens == 0 {
				t.Errorf("%s round %d: the spans count %+v tokens, the record %+v", a.ID, r.Round, got, a.Usage)
			}
		}
	}
	if got, want := tokens["solomon/2"], rec.Agents[3].Usage; got.OutputTokens != want.OutputTokens || got.InputTokens != want.InputTokens {
		t.Errorf("SOLOMON: the spans count %+v tokens, the record %+v", got, want)
	}

	calls := fake.Calls()
	if len(calls) != 7 {
		t.Fatalf("the upstream saw %d calls, want 7", len(calls))
	}
	for _, c := range calls {
		tp := strings.Split(c.Request.Traceparent, "-")
		if len(tp) != 4 || tp[1] != callerTrace || httpUnder[tp[2]] == "" {
			t.Errorf("call %d (%s) came with traceparent %q: want one of trace %s naming an HTTP span under a chat span",
				c.Request.N, c.Request.Agent, c.Request.Traceparent, callerTrace)
		}
	}

	raw := col.Raw()
	for _, leak := range []string{plantedKey, plantedPassword, plantedInPrompt, "Should we plant an orchard", "You are MELCHIOR-1, one of the three sages"} {
		if bytes.Contains(raw, []byte(leak)) {
			t.Errorf("the exported spans hold %q", leak)
		}
	}
	if !bytes.Contains(raw, []byte("/v1/chat/completions")) {
		t.Error("the HTTP client spans do not name the path they called")
	}
}

// TestTracing_MessageContentWhenOptedIn: with
// OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true the spans hold
// the question, the prompts and the answers, still without a secret.
func TestTracing_MessageContentWhenOptedIn(t *testing.T) {
	_, url := splitUpstream(t)
	p, col := tracedMagi(t, url, "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
	evs := askTraced(t, p, "Should we plant an orchard? "+plantedInPrompt)
	spans := waitTrace(t, col, 7)
	rec := magitest.Record(t, p.URL, evs[0].Event.DeliberationID)
	raw := col.Raw()
	for _, want := range []string{"Should we plant an orchard", `"role":"assistant"`, "You are MELCHIOR-1, one of the three sages"} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("the spans lack %q although content was asked for", want)
		}
	}
	var answered int
	for _, c := range fakeotlp.Named(spans, "chat fake-model") {
		out, _ := c.Attrs["gen_ai.output.messages"].(string)
		if c.Attrs["magi.agent"] == "solomon" && strings.Contains(out, strings.Fields(rec.Agents[3].Text)[0]) {
			answered++
		}
	}
	if answered != 1 {
		t.Error("SOLOMON's span does not hold its answer")
	}
	for _, leak := range []string{plantedKey, plantedPassword, plantedInPrompt} {
		if bytes.Contains(raw, []byte(leak)) {
			t.Errorf("the exported spans hold %q", leak)
		}
	}
}

// TestTracing_GRPC exports over OTLP/gRPC.
func TestTracing_GRPC(t *testing.T) {
	col := fakeotlp.New()
	g, err := col.ServeGRPC()
	if err != nil {
		t.Fatal(err)
	}
	defer g.Stop()
	pprof := freeAddr(t)
	p := startMagi(t, map[string]string{"MAGI_PROVIDER": "sim", "MAGI_SIM_PACE": "1ms", "OTEL_EXPORTER_OTLP_ENDPOINT": g.URL,
		"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_BSP_SCHEDULE_DELAY": "50", "OTEL_SERVICE_NAME": "magi-grpc", "MAGI_PPROF": pprof})
	evs := magitest.Ask(magitest.Context(t, 30*time.Second), t, p.URL, "Should we plant an orchard?").All(t)
	spans, err := col.WaitFor(magitest.Context(t, 20*time.Second), func(s []fakeotlp.Span) bool {
		return len(fakeotlp.Named(s, "magi.deliberate")) == 1
	})
	if err != nil {
		t.Fatal(err)
	}
	d := fakeotlp.Named(spans, "magi.deliberate")[0]
	if d.TraceID != evs[0].Event.TraceID || d.Resource["service.name"] != "magi-grpc" || d.Attrs["magi.simulated"] != true {
		t.Errorf("deliberation span %+v; the stream's trace id %q", d, evs[0].Event.TraceID)
	}
	// What TestTracing_OffByDefault looks for is there when tracing is on.
	if dump := goroutines(t, pprof); !strings.Contains(dump, sdkPackage) {
		t.Errorf("with tracing on no goroutine of %s runs:\n%.2000s", sdkPackage, dump)
	}
}

// TestTracing_OffByDefault: without OTEL_* variables nothing is traced:
// no trace id is stored, and no exporter goroutine runs.
func TestTracing_OffByDefault(t *testing.T) {
	pprof := freeAddr(t)
	p := startMagi(t, map[string]string{"MAGI_PROVIDER": "sim", "MAGI_SIM_PACE": "1ms", "MAGI_PPROF": pprof})
	evs := magitest.Ask(magitest.Context(t, 30*time.Second), t, p.URL, "Should we plant an orchard?").All(t)
	if evs[0].Event.TraceID != "" || magitest.Record(t, p.URL, evs[0].Event.DeliberationID).TraceID != "" {
		t.Error("a trace id was stored with tracing off")
	}
	dump := goroutines(t, pprof)
	for _, sdk := range []string{sdkPackage, "otlptrace", "google.golang.org/grpc"} {
		if strings.Contains(dump, sdk) {
			t.Errorf("with tracing off a goroutine of %s runs", sdk)
		}
	}
}

// sdkPackage is the package of the OpenTelemetry SDK's goroutines (the
// batch span processor's).
const sdkPackage = "go.opentelemetry.io/otel/sdk"

// goroutines is the stack of every goroutine of the magi serving pprof on
// addr (MAGI_PPROF).
func goroutines(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/debug/pprof/goroutine?debug=2")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var dump bytes.Buffer
	_, _ = dump.ReadFrom(resp.Body)
	if !strings.Contains(dump.String(), "goroutine ") {
		t.Fatalf("no goroutine dump: %s", dump.String())
	}
	return dump.String()
}

// freeAddr is a free loopback address.
func freeAddr(t *testing.T) string {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	return addr
}
