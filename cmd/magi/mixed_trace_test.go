package main

import (
	"encoding/json"
	"maps"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakeotlp"
	"github.com/magi-system/magi/internal/magitest"
)

// TestMixedCouncil_Traced: with OTEL_EXPORTER_OTLP_ENDPOINT set, `magi
// ask` traces a council of the three providers: every model call is a
// span under the deliberation's with its provider's GenAI name, its HTTP
// request a span under the call, and each fake (Bedrock's SigV4-signed
// calls included) received a traceparent of the record's trace.
func TestMixedCouncil_Traced(t *testing.T) {
	u := startMixed(t)
	col := fakeotlp.New()
	otlp := httptest.NewServer(col)
	t.Cleanup(otlp.Close)
	env := magitest.With(u.env, "OTEL_EXPORTER_OTLP_ENDPOINT", otlp.URL)
	r := magitest.MustRun(t, env, "ask", "--json", "--config", writeConfig(t, mixedYAML), "Should we adopt a four-day week?")
	var rec magi.Record
	if err := json.Unmarshal([]byte(r.Stdout), &rec); err != nil {
		t.Fatalf("record: %v\n%s", err, r.Stdout)
	}
	checkMixedRecord(t, rec, nil)
	if len(rec.TraceID) != 32 {
		t.Fatalf("the record's trace id is %q", rec.TraceID)
	}
	spans := col.Spans() // magi ask exported them all before it exited
	delib := fakeotlp.Named(spans, "magi.deliberate")
	if len(delib) != 1 || delib[0].TraceID != rec.TraceID {
		t.Fatalf("deliberation spans %+v, want one of trace %s", delib, rec.TraceID)
	}
	providers := map[string]string{}
	for _, s := range spans {
		if !strings.HasPrefix(s.Name, "chat ") {
			continue
		}
		if s.ParentID != delib[0].SpanID {
			t.Errorf("%s is not under the deliberation", s.Name)
		}
		var reqs []fakeotlp.Span
		for _, h := range spans {
			if h.ParentID == s.SpanID {
				reqs = append(reqs, h)
			}
		}
		if len(reqs) != 1 {
			t.Errorf("%s (%v) has %d HTTP spans under it, want 1", s.Name, s.Attrs["gen_ai.provider.name"], len(reqs))
		}
		providers[s.Attrs["magi.agent"].(string)] = s.Attrs["gen_ai.provider.name"].(string)
	}
	want := map[string]string{"melchior": "aws.bedrock", "balthasar": "aws.bedrock", "casper": "openai", "solomon": "anthropic"}
	if !maps.Equal(providers, want) {
		t.Errorf("the calls' providers %v, want %v", providers, want)
	}
	for name, url := range map[string]string{"bedrock": u.bedrockURL, "openai": u.openaiURL, "anthropic": u.anthropicURL} {
		got := u.received(url)
		if len(got) == 0 {
			t.Errorf("%s received no call", name)
		}
		for _, tp := range got {
			if !strings.HasPrefix(tp, "00-"+rec.TraceID+"-") {
				t.Errorf("%s received traceparent %q, want one of trace %s", name, tp, rec.TraceID)
			}
		}
	}
}
