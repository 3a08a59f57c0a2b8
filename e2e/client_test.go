package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
)

// client never decompresses on its own, so a Content-Encoding the server
// sends is visible to the test.
var client = &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 64}}

// sseEvent is one event as the client received it.
type sseEvent struct {
	// ID is the `id:` field; "" when the event had none.
	ID string
	// Data is the raw `data:` payload.
	Data string
	// EventLine is true when the event carried an `event:` line.
	EventLine bool
	// At is when the client read the end of the event.
	At time.Time
	// Event is Data decoded.
	Event magi.Event
}

// sseStream reads a text/event-stream response one event at a time.
type sseStream struct {
	Resp *http.Response
	r    *bufio.Reader
	// Pings counts `: ping` comments seen.
	Pings int
}

// Next returns the next event; io.EOF at the end of the stream.
func (s *sseStream) Next() (sseEvent, error) {
	var ev sseEvent
	var data []string
	seen := false
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			if err == io.EOF && seen {
				return ev, io.ErrUnexpectedEOF
			}
			return ev, err
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if !seen {
				continue
			}
			ev.Data, ev.At = strings.Join(data, "\n"), time.Now()
			if err := json.Unmarshal([]byte(ev.Data), &ev.Event); err != nil {
				return ev, fmt.Errorf("event data %q: %w", ev.Data, err)
			}
			return ev, nil
		case strings.HasPrefix(line, ":"):
			s.Pings++
		case strings.HasPrefix(line, "id:"):
			ev.ID, seen = strings.TrimSpace(strings.TrimPrefix(line, "id:")), true
		case strings.HasPrefix(line, "data:"):
			data, seen = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " ")), true
		case strings.HasPrefix(line, "event:"):
			ev.EventLine, seen = true, true
		}
	}
}

// All reads the rest of the stream; it fails the test on a broken stream.
func (s *sseStream) All(t *testing.T) []sseEvent {
	t.Helper()
	out, err := s.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ReadAll reads the rest of the stream, for goroutines that cannot fail
// the test themselves.
func (s *sseStream) ReadAll() ([]sseEvent, error) {
	var out []sseEvent
	for {
		ev, err := s.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("reading the stream after %d events: %w", len(out), err)
		}
		out = append(out, ev)
	}
}

// Close drops the connection.
func (s *sseStream) Close() { s.Resp.Body.Close() }

// openStream sends req and checks it answered 200 text/event-stream.
func openStream(t *testing.T, req *http.Request) *sseStream {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("%s %s: %d %s: %s", req.Method, req.URL.Path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return &sseStream{Resp: resp, r: bufio.NewReader(resp.Body)}
}

// ask starts a deliberation of question, streamed in the POST's response
// (what `curl -N -H 'Accept: text/event-stream' -d ...` does).
func ask(ctx context.Context, t *testing.T, base, question string) *sseStream {
	t.Helper()
	body := fmt.Sprintf(`{"question": %q}`, question)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/deliberations", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Accept-Encoding", "gzip")
	return openStream(t, req)
}

// start starts a deliberation without streaming and returns its id.
func start(t *testing.T, base, question string) string {
	t.Helper()
	resp := doJSON(t, http.MethodPost, base+"/api/deliberations", fmt.Sprintf(`{"question": %q}`, question), http.StatusAccepted, nil)
	var m map[string]string
	if err := json.Unmarshal(resp, &m); err != nil {
		t.Fatal(err)
	}
	if m["status"] != "running" || m["events_url"] != "/api/deliberations/"+m["id"]+"/events" || m["id"] == "" {
		t.Fatalf("POST /api/deliberations answered %s", resp)
	}
	return m["id"]
}

// events opens GET /api/deliberations/{id}/events after lastID ("" for
// none).
func events(ctx context.Context, t *testing.T, base, id, lastID string) *sseStream {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/deliberations/"+id+"/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	return openStream(t, req)
}

// doJSON sends body (JSON, or none when empty) and checks the status; it
// decodes the answer into out when out is not nil and returns it raw.
func doJSON(t *testing.T, method, url, body string, status int, out any) []byte {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d: %s", method, url, resp.StatusCode, status, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, raw)
		}
	}
	return raw
}

// record fetches GET /api/deliberations/{id}.
func record(t *testing.T, base, id string) magi.Record {
	t.Helper()
	var rec magi.Record
	doJSON(t, http.MethodGet, base+"/api/deliberations/"+id, "", http.StatusOK, &rec)
	return rec
}

// waitStatus polls the record of id until its status is not running.
func waitStatus(t *testing.T, base, id string, d time.Duration) magi.Record {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		rec := record(t, base, id)
		if rec.Status != magi.StatusRunning || time.Now().After(deadline) {
			return rec
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// datas returns the raw data of each event.
func datas(evs []sseEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Data
	}
	return out
}

// last returns the last event, failing the test on an empty stream.
func last(t *testing.T, evs []sseEvent) magi.Event {
	t.Helper()
	if len(evs) == 0 {
		t.Fatal("the stream had no events")
	}
	return evs[len(evs)-1].Event
}
