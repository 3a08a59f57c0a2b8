package server

import (
	"net/http"
	"testing"

	"github.com/magi-system/magi"
)

func TestServer_RoundsIsValidated(t *testing.T) {
	ts := newTestServer(t, 0, Options{})
	for _, path := range []string{"/api/deliberations", "/invocations"} {
		for _, body := range []string{`{"question":"q","rounds":0}`, `{"question":"q","rounds":6}`, `{"question":"q","rounds":-1}`,
			`{"question":"q","rounds":"2"}`, `{"question":"q","rounds":2.5}`, `{"prompt":"q","rounds":99}`} {
			if status, code := apiError(t, post(t, ts.URL+path, body)); status != http.StatusBadRequest || code != magi.EINVALID {
				t.Errorf("%s %s: %d %s, want 400 invalid", path, body, status, code)
			}
		}
	}
	if page, err := ts.store.List(t.Context(), magi.ListFilter{}); err != nil || len(page.Items) != 0 {
		t.Fatalf("bad rounds stored %d deliberations (%v)", len(page.Items), err)
	}
	for body, want := range map[string]int{`{"question":"q","rounds":1}`: 1, `{"question":"q","rounds":5}`: 5, `{"question":"q"}`: magi.DefaultRounds} {
		events, _ := readSSE(t, post(t, ts.URL+"/api/deliberations", body, "Accept", "text/event-stream").Body)
		if start := events[0].event; start.MaxRounds != want || start.Rule != magi.Majority {
			t.Errorf("%s: start has max_rounds %d rule %q, want %d and the default rule", body, start.MaxRounds, start.Rule, want)
		}
	}
}

// A deliberation of two rounds replays from the store exactly as it
// streamed live, and resumes from any position.
func TestServer_TwoRoundsReplayAsStreamed(t *testing.T) {
	ts := newTestServer(t, 0, Options{})
	resp := post(t, ts.URL+"/api/deliberations", `{"question":"Adopt a four-day week? [split]","rounds":2}`, "Accept", "text/event-stream")
	live, _ := readSSE(t, resp.Body)
	resp.Body.Close()
	checkSequence(t, live, 1)
	var rounds, tallies int
	for _, e := range live {
		rounds += map[bool]int{true: 1}[e.event.Type == magi.EventRound]
		tallies += map[bool]int{true: 1}[e.event.Type == magi.EventTally]
	}
	last := live[len(live)-1].event
	if rounds != 1 || tallies != 1 || last.Type != magi.EventComplete || last.Rounds != 2 {
		t.Fatalf("live stream: %d round events, %d tallies, ends %s after %d rounds; want a two-round deliberation", rounds, tallies, last.Type, last.Rounds)
	}
	id := live[0].event.DeliberationID
	r := get(t, ts.URL+"/api/deliberations/"+id+"/events")
	replay, _ := readSSE(t, r.Body)
	r.Body.Close()
	if len(replay) != len(live) {
		t.Fatalf("replay has %d events, live had %d", len(replay), len(live))
	}
	for i := range live {
		if replay[i].raw != live[i].raw || replay[i].id != live[i].id {
			t.Fatalf("event %d differs:\nlive   %s\nreplay %s", i+1, live[i].raw, replay[i].raw)
		}
	}
	for k := range int64(len(live)) {
		r := get(t, ts.URL+"/api/deliberations/"+id+"/events", "Last-Event-ID", itoa(k))
		got, _ := readSSE(t, r.Body)
		r.Body.Close()
		if len(got) != len(live)-int(k) || got[0].raw != live[k].raw {
			t.Fatalf("resume after %d: %d events, want %d identical", k, len(got), len(live)-int(k))
		}
	}
	rec := decode[magi.Record](t, get(t, ts.URL+"/api/deliberations/"+id))
	if len(rec.Rounds) != 2 || rec.Agents[2].Verdict.ChangedFrom != magi.Rejected || rec.MaxRounds != 2 ||
		rec.Note != "3 for (1 conditional), 0 against: majority CONDITIONAL; SOLOMON alone would have approved; CASPER-3 changed REJECTED → CONDITIONAL in round 2" {
		t.Errorf("record: %d rounds, casper %+v, note %q", len(rec.Rounds), rec.Agents[2].Verdict, rec.Note)
	}
}
