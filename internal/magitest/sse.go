package magitest

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

// Client never decompresses on its own, so a Content-Encoding the server
// sends is visible to the test, and never times out a stream.
var Client = &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 64}}

// Event is one server-sent event as the client received it.
type Event struct {
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

// Stream reads a text/event-stream response one event at a time.
type Stream struct {
	// Resp is the response whose body is the stream.
	Resp *http.Response
	r    *bufio.Reader
	// Pings counts the comment lines (`: ping`) seen.
	Pings int
}

// Next returns the next event; io.EOF at the clean end of the stream,
// io.ErrUnexpectedEOF when it ends within an event.
func (s *Stream) Next() (Event, error) {
	var ev Event
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

// All reads the rest of the stream, failing the test on a broken one.
func (s *Stream) All(tb testing.TB) []Event {
	tb.Helper()
	out, err := s.ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// ReadAll reads the rest of the stream, for goroutines that cannot fail
// the test themselves.
func (s *Stream) ReadAll() ([]Event, error) {
	var out []Event
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

// Until reads events until one satisfies ok, failing the test if the
// stream ends first.
func (s *Stream) Until(tb testing.TB, ok func(magi.Event) bool) []Event {
	tb.Helper()
	var out []Event
	for {
		ev, err := s.Next()
		if err != nil {
			tb.Fatalf("after %d events: %v", len(out), err)
		}
		out = append(out, ev)
		if ok(ev.Event) {
			return out
		}
	}
}

// Close drops the connection.
func (s *Stream) Close() { s.Resp.Body.Close() }

// OpenStream sends req and checks it answered 200 text/event-stream.
func OpenStream(tb testing.TB, req *http.Request) *Stream {
	tb.Helper()
	resp, err := Client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		tb.Fatalf("%s %s: %d %s: %s", req.Method, req.URL, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	tb.Cleanup(func() { resp.Body.Close() })
	return &Stream{Resp: resp, r: bufio.NewReader(resp.Body)}
}

// Ask starts a deliberation of question whose events stream in the POST's
// response (what `curl -N -H 'Accept: text/event-stream' -d …` does),
// accepting gzip as a browser would.
func Ask(ctx context.Context, tb testing.TB, base, question string) *Stream {
	tb.Helper()
	body := fmt.Sprintf(`{"question": %q}`, question)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/deliberations", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Accept-Encoding", "gzip")
	return OpenStream(tb, req)
}

// Events opens GET /api/deliberations/{id}/events after lastID ("" for
// all of them).
func Events(ctx context.Context, tb testing.TB, base, id, lastID string) *Stream {
	tb.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/deliberations/"+id+"/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	return OpenStream(tb, req)
}
