package magitest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
)

// StartFake serves a fake OpenAI-compatible upstream (internal/fakellm)
// for the test and returns it with its base URL, ending in /v1.
func StartFake(tb testing.TB, cfg fakellm.Config) (*fakellm.Server, string) {
	tb.Helper()
	fake := fakellm.New(cfg)
	srv := httptest.NewServer(fake)
	tb.Cleanup(srv.Close)
	return fake, srv.URL + "/v1"
}

// DoJSON sends body (JSON, or none when empty) and checks the status; it
// decodes the answer into out when out is not nil and returns it raw.
func DoJSON(tb testing.TB, method, url, body string, status int, out any) []byte {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequestWithContext(tb.Context(), method, url, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := Client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		tb.Fatalf("%s %s: status %d, want %d: %s", method, url, resp.StatusCode, status, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			tb.Fatalf("%s %s: %v: %s", method, url, err, raw)
		}
	}
	return raw
}

// StartDeliberation starts a deliberation without streaming (202), checks
// the answer names it running with its events URL, and returns its id.
func StartDeliberation(tb testing.TB, base, question string) string {
	tb.Helper()
	raw := DoJSON(tb, http.MethodPost, base+"/api/deliberations", fmt.Sprintf(`{"question": %q}`, question), http.StatusAccepted, nil)
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatal(err)
	}
	if m["status"] != "running" || m["events_url"] != "/api/deliberations/"+m["id"]+"/events" || m["id"] == "" {
		tb.Fatalf("POST /api/deliberations answered %s", raw)
	}
	return m["id"]
}

// Record fetches GET /api/deliberations/{id}.
func Record(tb testing.TB, base, id string) magi.Record {
	tb.Helper()
	var rec magi.Record
	DoJSON(tb, http.MethodGet, base+"/api/deliberations/"+id, "", http.StatusOK, &rec)
	return rec
}

// WaitStatus polls the record of id until its status is not running, or d
// has passed, and returns it.
func WaitStatus(tb testing.TB, base, id string, d time.Duration) magi.Record {
	tb.Helper()
	deadline := time.Now().Add(d)
	for {
		rec := Record(tb, base, id)
		if rec.Status != magi.StatusRunning || time.Now().After(deadline) {
			return rec
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// CheckSeq fails the test unless the events are seq 1, 2, … N, each with
// id equal to its seq: no gap, no duplicate. It suits a stream cut short.
func CheckSeq(tb testing.TB, evs []Event) {
	tb.Helper()
	for i, ev := range evs {
		if want := int64(i + 1); ev.Event.Seq != want || ev.ID != fmt.Sprint(want) {
			tb.Fatalf("event %d has id %q seq %d, want %d: %s", i, ev.ID, ev.Event.Seq, want, ev.Data)
		}
	}
}

// CheckStream fails the test unless evs is one whole stream: not empty,
// ids 1..N with id == seq, one deliberation, no `event:` line, and
// exactly one terminal event, the last.
func CheckStream(tb testing.TB, evs []Event) {
	tb.Helper()
	if len(evs) == 0 {
		tb.Fatal("no events")
	}
	for i, e := range evs {
		want := strconv.Itoa(i + 1)
		if e.ID != want || e.Event.Seq != int64(i+1) || e.EventLine || e.Event.DeliberationID != evs[0].Event.DeliberationID {
			tb.Fatalf("event %d: id %q, seq %d, event line %v, deliberation %q; want id=seq=%s, no event line",
				i, e.ID, e.Event.Seq, e.EventLine, e.Event.DeliberationID, want)
		}
		if e.Event.Terminal() != (i == len(evs)-1) {
			tb.Fatalf("event %d (%s) terminal=%v in a stream of %d", i, e.Data, e.Event.Terminal(), len(evs))
		}
	}
}

// Datas is the raw data of each event.
func Datas(evs []Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Data
	}
	return out
}

// Last is the last event, failing the test on an empty stream.
func Last(tb testing.TB, evs []Event) magi.Event {
	tb.Helper()
	if len(evs) == 0 {
		tb.Fatal("the stream had no events")
	}
	return evs[len(evs)-1].Event
}
