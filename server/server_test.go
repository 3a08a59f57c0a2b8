package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/magi-system/magi"
)

func TestServer_PostStreamsInOneRoundTrip(t *testing.T) {
	ts := newTestServer(t, 0, Options{})
	resp := post(t, ts.URL+"/api/deliberations", `{"question":"Adopt a four-day week?","rule":"majority"}`, "Accept", "text/event-stream")
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for h, want := range map[string]string{"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if resp.Header.Get("Content-Encoding") != "" {
		t.Error("the stream is compressed")
	}
	events, _ := readSSE(t, resp.Body)
	checkSequence(t, events, 1)
	if events[0].event.Type != magi.EventStart || events[len(events)-1].event.Type != magi.EventComplete {
		t.Errorf("stream runs %s … %s, want start … complete", events[0].event.Type, events[len(events)-1].event.Type)
	}
	id := events[0].event.DeliberationID
	rec := decode[magi.Record](t, get(t, ts.URL+"/api/deliberations/"+id))
	if rec.Status != magi.StatusCompleted || rec.Decision != magi.Approved || len(rec.Agents) != 4 || rec.Agents[1].Text == "" {
		t.Errorf("record = %+v", rec)
	}
}

func TestServer_AcceptedThenReplayAndResumeAtEveryPosition(t *testing.T) {
	ts := newTestServer(t, 0, Options{})
	resp := post(t, ts.URL+"/api/deliberations", `{"question":"q"}`)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d, want 202", resp.StatusCode)
	}
	created := decode[createResponse](t, resp)
	if created.Status != magi.StatusRunning || created.EventsURL != "/api/deliberations/"+created.ID+"/events" {
		t.Fatalf("created = %+v", created)
	}
	r := get(t, ts.URL+created.EventsURL)
	all, _ := readSSE(t, r.Body)
	r.Body.Close()
	checkSequence(t, all, 1)
	r = get(t, ts.URL+created.EventsURL, "Last-Event-ID", itoa(int64(len(all))))
	r.Body.Close()
	if r.StatusCode != http.StatusNoContent {
		t.Errorf("resume after the last event: %d, want 204 so an EventSource stops reconnecting", r.StatusCode)
	}
	for k := range int64(len(all)) {
		header := []string{"Last-Event-ID", itoa(k)}
		url := ts.URL + created.EventsURL
		if k%2 == 1 {
			header, url = nil, url+"?last_event_id="+itoa(k)
		}
		r := get(t, url, header...)
		got, _ := readSSE(t, r.Body)
		r.Body.Close()
		checkSequence(t, got, k+1)
		if len(got) != len(all)-int(k) || got[0].raw != all[k].raw {
			t.Fatalf("resume after %d: %d events, want %d identical", k, len(got), len(all)-int(k))
		}
	}
}

func TestServer_BadInputIsRejectedAndNothingStored(t *testing.T) {
	ts := newTestServer(t, 0, Options{MaxQuestionBytes: 100})
	cases := []struct {
		name, ctype, body string
		status            int
		code              string
	}{
		{"bad JSON", "application/json", `{"question":`, 400, magi.EINVALID},
		{"wrong content type", "text/plain", `{"question":"q"}`, 415, magi.EUNSUPPORTED},
		{"empty question", "application/json", `{"question":"   "}`, 400, magi.EINVALID},
		{"oversized question", "application/json", `{"question":"` + strings.Repeat("x", 101) + `"}`, 400, magi.EINVALID},
		{"unknown rule", "application/json", `{"question":"q","rule":"dictator"}`, 400, magi.EINVALID},
		{"wrong type", "application/json", `{"question":42}`, 400, magi.EINVALID},
		{"oversized body", "application/json", `{"question":"q","pad":"` + strings.Repeat("x", 10000) + `"}`, 413, magi.ETOOLARGE},
	}
	for _, c := range cases {
		req, _ := http.NewRequest("POST", ts.URL+"/api/deliberations", strings.NewReader(c.body))
		req.Header.Set("Content-Type", c.ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if status, code := apiError(t, resp); status != c.status || code != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, status, code, c.status, c.code)
		}
	}
	for _, c := range []struct {
		method, path string
		header       []string
		status       int
	}{
		{"GET", "/api/deliberations/nope", nil, 404},
		{"GET", "/api/deliberations/nope/events", nil, 404},
		{"POST", "/api/deliberations/nope/cancel", nil, 404},
		{"DELETE", "/api/deliberations/nope", nil, 404},
		{"GET", "/api/nothing", nil, 404},
	} {
		req, _ := http.NewRequest(c.method, ts.URL+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if status, _ := apiError(t, resp); status != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, status, c.status)
		}
	}
	page, err := ts.store.List(context.Background(), magi.ListFilter{})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("bad requests stored %d deliberations (%v)", len(page.Items), err)
	}
	// A malformed Last-Event-ID on a real deliberation is a 400.
	created := decode[createResponse](t, post(t, ts.URL+"/api/deliberations", `{"question":"q"}`))
	for _, bad := range []string{"abc", "-1", "1.5"} {
		if status, code := apiError(t, get(t, ts.URL+created.EventsURL, "Last-Event-ID", bad)); status != 400 || code != magi.EINVALID {
			t.Errorf("Last-Event-ID %q: %d %s, want 400", bad, status, code)
		}
	}
}

func TestServer_CancelEndsTheStream(t *testing.T) {
	ts := newTestServer(t, 20*time.Millisecond, Options{})
	created := decode[createResponse](t, post(t, ts.URL+"/api/deliberations", `{"question":"q"}`))
	r := get(t, ts.URL+created.EventsURL)
	defer r.Body.Close()
	sse := newSSEReader(r.Body)
	events := sse.untilChunk(t) // under way
	resp := post(t, ts.URL+"/api/deliberations/"+created.ID+"/cancel", "")
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("cancel: %d", resp.StatusCode)
	}
	resp.Body.Close()
	events = append(events, sse.rest(t)...)
	checkSequence(t, events, 1)
	last := events[len(events)-1].event
	if last.Type != magi.EventError || last.Code != magi.ECANCELLED {
		t.Errorf("last event = %+v, want fatal cancelled", last)
	}
	if status, code := apiError(t, post(t, ts.URL+"/api/deliberations/"+created.ID+"/cancel", "")); status != 409 {
		t.Errorf("second cancel: %d %s, want 409", status, code)
	}
}

func TestServer_ClientLeavesDeliberationGoesOn(t *testing.T) {
	ts := newTestServer(t, 5*time.Millisecond, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/api/deliberations", strings.NewReader(`{"question":"q"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 512)
	n, _ := resp.Body.Read(buf)
	id := strings.SplitN(strings.SplitN(string(buf[:n]), `"deliberation_id":"`, 2)[1], `"`, 2)[0]
	cancel()
	resp.Body.Close()
	r := get(t, ts.URL+"/api/deliberations/"+id+"/events")
	events, _ := readSSE(t, r.Body)
	r.Body.Close()
	checkSequence(t, events, 1)
	if events[len(events)-1].event.Type != magi.EventComplete {
		t.Error("the deliberation did not complete after its client left")
	}
}

func TestServer_ManySubscribers(t *testing.T) {
	ts := newTestServer(t, 2*time.Millisecond, Options{})
	created := decode[createResponse](t, post(t, ts.URL+"/api/deliberations", `{"question":"q"}`))
	var wg sync.WaitGroup
	lens := make([]int, 20)
	for i := range lens {
		wg.Go(func() {
			r := get(t, ts.URL+created.EventsURL)
			defer r.Body.Close()
			events, _ := readSSE(t, r.Body)
			checkSequence(t, events, 1)
			lens[i] = len(events)
		})
	}
	wg.Wait()
	for i, n := range lens {
		if n != lens[0] {
			t.Errorf("subscriber %d saw %d events, subscriber 0 saw %d", i, n, lens[0])
		}
	}
}

func TestServer_HeartbeatAndPing(t *testing.T) {
	ts := newTestServer(t, 30*time.Millisecond, Options{Heartbeat: 10 * time.Millisecond})
	ping := decode[map[string]any](t, get(t, ts.URL+"/ping"))
	if ping["status"] != "Healthy" {
		t.Errorf("idle ping = %v", ping)
	}
	created := decode[createResponse](t, post(t, ts.URL+"/api/deliberations", `{"question":"q"}`))
	ping = decode[map[string]any](t, get(t, ts.URL+"/ping"))
	if ping["status"] != "HealthyBusy" || ping["time_of_last_update"].(float64) < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("busy ping = %v", ping)
	}
	r := get(t, ts.URL+created.EventsURL)
	_, pings := readSSE(t, r.Body)
	r.Body.Close()
	if pings == 0 {
		t.Error("no `: ping` comment on a slow stream")
	}
}

func TestServer_TooManyRunning(t *testing.T) {
	ts := newTestServer(t, 50*time.Millisecond, Options{})
	for range 4 {
		resp := post(t, ts.URL+"/api/deliberations", `{"question":"q"}`)
		resp.Body.Close()
	}
	resp := post(t, ts.URL+"/api/deliberations", `{"question":"q"}`)
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if status, code := apiError(t, resp); status != 429 || code != magi.ERATELIMIT {
		t.Errorf("fifth POST: %d %s, want 429", status, code)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestServer_WrongMethodUnderAPI(t *testing.T) {
	ts := newTestServer(t, 0, Options{})
	req, _ := http.NewRequest("PUT", ts.URL+"/api/deliberations", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if allow := resp.Header.Get("Allow"); allow != "GET, POST" {
		t.Errorf("Allow = %q, want GET, POST", allow)
	}
	if status, code := apiError(t, resp); status != 405 || code != magi.EMETHOD {
		t.Errorf("PUT /api/deliberations: %d %s, want 405 method_not_allowed", status, code)
	}
	if status, _ := apiError(t, get(t, ts.URL+"/api/deliberations/x/nothing")); status != 404 {
		t.Errorf("an unknown /api/ path: %d, want 404", status)
	}
}

// A shutdown delivers the stored end of a deliberation this process ran
// before it closes the stream, so the client sees the real last event (with
// its id), not only the unstored fallback.
func TestServer_ShutdownDeliversTheStoredEnd(t *testing.T) {
	for range 5 {
		ts := newTestServer(t, 20*time.Millisecond, Options{})
		created := decode[createResponse](t, post(t, ts.URL+"/api/deliberations", `{"question":"q"}`))
		r := get(t, ts.URL+created.EventsURL)
		sse := newSSEReader(r.Body)
		events := sse.untilChunk(t) // under way
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		_ = ts.runner.Shutdown(ctx)
		cancel()
		ts.srv.CloseStreams()
		events = append(events, sse.rest(t)...)
		r.Body.Close()
		last := events[len(events)-1]
		if last.id == "" || last.event.Code != magi.ESHUTDOWN || !last.event.Fatal {
			t.Fatalf("last event = id %q %+v, want the stored fatal shutdown event", last.id, last.event)
		}
		checkSequence(t, events, 1)
	}
}
