package magi

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestEvent_AppendJSONShapes pins each type's JSON: the members the
// previous, reflection-based encoder wrote, with the same values.
func TestEvent_AppendJSONShapes(t *testing.T) {
	c := 0.01
	tests := []struct {
		e    Event
		want string
	}{
		{Event{Type: EventStart, DeliberationID: "d", Seq: 1, Timestamp: ts, Question: "q<&>", Rule: Majority,
			Agents: []AgentInfo{{ID: Melchior, Name: "M", Provider: "p", Model: "m"}}, Simulated: true},
			`{"type":"start","deliberation_id":"d","seq":1,"question":"q\u003c\u0026\u003e","rule":"majority","agents":[{"id":"melchior","name":"M","provider":"p","model":"m"}],"simulated":true,"timestamp":"2026-11-25T12:00:00.123Z"}`},
		{Event{Type: EventChunk, DeliberationID: "d", Seq: 2, Timestamp: ts, Agent: Casper, Content: "x\u2028\n"},
			`{"type":"chunk","deliberation_id":"d","seq":2,"agent":"casper","content":"x\u2028\n","timestamp":"2026-11-25T12:00:00.123Z"}`},
		{Event{Type: EventTrace, DeliberationID: "d", Seq: 3, Timestamp: ts, Agent: Casper, Stage: StageAgentDone,
			Trace: &Trace{Provider: "p", Model: "m", Attempt: 2, LatencyMS: 1, DurationMS: 2, DelayMS: 3,
				Tokens: &Usage{InputTokens: 1, OutputTokens: 2, CostUSD: &c}, Error: "e", ErrorKind: KindAuth}},
			`{"type":"trace","deliberation_id":"d","seq":3,"agent":"casper","stage":"agent_done","trace":{"provider":"p","model":"m","attempt":2,"latency_ms":1,"duration_ms":2,"delay_ms":3,"tokens":{"input_tokens":1,"output_tokens":2,"cost_usd":0.01},"error":"e","error_kind":"auth"},"timestamp":"2026-11-25T12:00:00.123Z"}`},
		{Event{Type: EventVerdict, DeliberationID: "d", Seq: 4, Timestamp: ts, Agent: Solomon,
			Verdict: &Verdict{Decision: Approved, Confidence: 0.7, Summary: "s", Conditions: []string{"c"}, Reason: "r",
				Scores: map[AgentID]int{Melchior: 1, Casper: 2}}},
			`{"type":"verdict","deliberation_id":"d","seq":4,"agent":"solomon","decision":"APPROVED","confidence":0.7,"summary":"s","conditions":["c"],"reason":"r","timestamp":"2026-11-25T12:00:00.123Z","scores":{"casper":2,"melchior":1}}`},
		{Event{Type: EventComplete, DeliberationID: "d", Seq: 5, Timestamp: ts,
			Outcome: &Outcome{Decision: Rejected, Rule: Judge, Votes: Votes{1, 2, 3, 4}, Confidence: 0.5, Summary: "s", TieBreak: true, Note: "n"},
			Scores:  map[AgentID]int{Melchior: 1}, Usage: &Usage{}, DurationMS: 9},
			`{"type":"complete","deliberation_id":"d","seq":5,"rule":"judge","decision":"REJECTED","confidence":0.5,"summary":"s","conditions":[],"votes":{"approved":1,"rejected":2,"conditional":3,"abstained":4},"tie_break":true,"note":"n","timestamp":"2026-11-25T12:00:00.123Z","scores":{"melchior":1},"usage":{"input_tokens":0,"output_tokens":0,"cost_usd":null},"duration_ms":9}`},
		{Event{Type: EventComplete, DeliberationID: "d", Seq: 5, Timestamp: ts},
			`{"type":"complete","deliberation_id":"d","seq":5,"timestamp":"2026-11-25T12:00:00.123Z","scores":{},"usage":{"input_tokens":0,"output_tokens":0,"cost_usd":null},"duration_ms":0}`},
		{Event{Type: EventError, DeliberationID: "d", Seq: 6, Timestamp: ts, Agent: Casper, Code: "c", Message: "m"},
			`{"type":"error","deliberation_id":"d","seq":6,"agent":"casper","code":"c","message":"m","fatal":false,"timestamp":"2026-11-25T12:00:00.123Z"}`},
		{Event{Type: EventError, Timestamp: ts, Code: "c", Message: "m", Fatal: true},
			`{"type":"error","deliberation_id":"","seq":0,"code":"c","message":"m","fatal":true,"timestamp":"2026-11-25T12:00:00.123Z"}`},
	}
	for _, tt := range tests {
		t.Run(string(tt.e.Type), func(t *testing.T) {
			b, err := tt.e.AppendJSON(nil)
			if err != nil {
				t.Fatal(err)
			}
			var got, want map[string]any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("not JSON: %s: %v", b, err)
			}
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", b, diff)
			}
		})
	}
}

// TestAppendString escapes as encoding/json does, byte for byte.
func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", `"quoted" \ back`, "tab\tnl\ncr\r\x00\x1f\x7f\b\f", "<b>&amp;</b>",
		"日本語の文", "line\u2028para\u2029", "bad \xff\xfe utf-8 \xe3\x81", "emoji 🦊"} {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	f.Add("a\"b\\c<d>&\u2028\xff")
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

// TestEvent_FloatsAsEncodingJSON writes confidences and costs as
// encoding/json does, and refuses what JSON cannot hold.
func TestEvent_FloatsAsEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, 1, 0.7, 1.0 / 3, 1e-7, 123456789.5, 1e21, -0.25} {
		var w jsonWriter
		w.open('{')
		w.float("x", f)
		want, _ := json.Marshal(map[string]float64{"x": f})
		if got := string(w.b) + "}"; got != string(want) {
			t.Errorf("float %v: %s, want %s", f, got, want)
		}
	}
	e := Event{Type: EventVerdict, Timestamp: time.Now(), Verdict: &Verdict{Confidence: math.NaN()}}
	if _, err := json.Marshal(e); err == nil {
		t.Error("a NaN confidence was encoded")
	}
}

// benchAppendJSON encodes e b.N times, as the journal encodes each event
// once.
func benchAppendJSON(b *testing.B, e Event) {
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = e.AppendJSON(buf[:0])
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkEvent_AppendJSON encodes the commonest event: a chunk of a few
// words.
func BenchmarkEvent_AppendJSON(b *testing.B) {
	benchAppendJSON(b, Event{Type: EventChunk, DeliberationID: "0190f3a1b2c3d4e5f60718293a", Seq: 1234, Timestamp: ts,
		Agent: Melchior, Content: "the council weighs the evidence, "})
}

// BenchmarkEvent_AppendJSON_LongChunk encodes a 4 KB chunk with characters
// JSON must escape.
func BenchmarkEvent_AppendJSON_LongChunk(b *testing.B) {
	benchAppendJSON(b, Event{Type: EventChunk, DeliberationID: "0190f3a1b2c3d4e5f60718293a", Seq: 1234, Timestamp: ts,
		Agent: Casper, Content: strings.Repeat("日本語 \"quoted\" <b>\n", 180)})
}

// BenchmarkEvent_AppendJSON_Complete encodes the final event, with votes
// and scores.
func BenchmarkEvent_AppendJSON_Complete(b *testing.B) {
	benchAppendJSON(b, Event{Type: EventComplete, DeliberationID: "0190f3a1b2c3d4e5f60718293a", Seq: 400, Timestamp: ts,
		Outcome: &Outcome{Decision: Conditional, Rule: Majority},
		Scores:  map[AgentID]int{Melchior: 80, Balthasar: 65, Casper: 72},
		Usage:   &Usage{InputTokens: 1200, OutputTokens: 900}, DurationMS: 21000})
}

// TestEvent_AppendJSONWritesEveryField guards the hand-written encoder:
// every field of Event that has a JSON name is written when it is set (a
// field added to Event and forgotten in AppendJSON fails here).
func TestEvent_AppendJSONWritesEveryField(t *testing.T) {
	typ := reflect.TypeFor[Event]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		e := Event{Type: EventError, Timestamp: ts} // fatal is written on errors only
		v := reflect.ValueOf(&e).Elem().Field(i)
		switch v.Kind() {
		case reflect.String:
			v.SetString("x")
		case reflect.Int64, reflect.Int:
			v.SetInt(7)
		case reflect.Bool:
			v.SetBool(true)
		case reflect.Pointer:
			v.Set(reflect.New(v.Type().Elem()))
		case reflect.Slice:
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		case reflect.Map:
			m := reflect.MakeMap(v.Type())
			m.SetMapIndex(reflect.ValueOf(Melchior), reflect.ValueOf(1))
			v.Set(m)
		case reflect.Struct: // Timestamp, set above
		default:
			t.Fatalf("field %s: kind %s not covered by this test", f.Name, v.Kind())
		}
		var m map[string]any
		b, err := e.AppendJSON(nil)
		if err != nil || json.Unmarshal(b, &m) != nil {
			t.Fatalf("field %s: %s, %v", f.Name, b, err)
		}
		if _, ok := m[name]; !ok {
			t.Errorf("Event.%s (%q) set but not written: %s", f.Name, name, b)
		}
	}
}
