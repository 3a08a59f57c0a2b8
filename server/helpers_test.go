package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/council"
	"github.com/magi-system/magi/feed"
	"github.com/magi-system/magi/provider"
	"github.com/magi-system/magi/store/sqlite"
)

// wordProvider streams a fixed verdict answer word by word with a gap:
// APPROVED, except that on a question marked [split] CASPER rejects in
// round 1 and approves on a condition in round 2.
type wordProvider struct{ gap time.Duration }

func (p wordProvider) Stream(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
	vote := `"APPROVED", "confidence": 0.8, "summary": "ok", "conditions": []`
	if req.Agent == magi.Casper && strings.Contains(req.Prompt, "[split]") {
		vote = `"REJECTED", "confidence": 0.6, "summary": "no", "conditions": []`
		if strings.Contains(req.Prompt, "this is round 2") {
			vote = `"CONDITIONAL", "confidence": 0.7, "summary": "if piloted", "conditions": ["a pilot"]`
		}
	}
	text := "I have considered " + string(req.Agent) + " carefully and weighed the evidence.\n" +
		`{"decision": ` + vote + `, "scores": {"melchior": 70, "balthasar": 60, "casper": 50}}`
	return func(yield func(magi.Delta, error) bool) {
		for _, w := range strings.SplitAfter(text, " ") {
			select {
			case <-time.After(p.gap):
			case <-ctx.Done():
				yield(magi.Delta{}, &magi.ProviderError{Kind: magi.KindCancelled, Provider: "fake", Model: "m", Err: ctx.Err()})
				return
			}
			if !yield(magi.Delta{Text: w}, nil) {
				return
			}
		}
		yield(magi.Delta{Usage: &magi.Usage{InputTokens: 3, OutputTokens: 20}}, nil)
	}
}

type testServer struct {
	*httptest.Server
	srv    *Server
	runner *council.Runner
	store  magi.Store
}

func newTestServer(t *testing.T, gap time.Duration, opts Options) *testServer {
	t.Helper()
	return wiredServer(t, gap, opts, nil)
}

// wiredServer is a server wired as magi serve wires it, on a SQLite file,
// with a model that says a word every gap; follow, when not nil, makes
// the follower of its streams in place of the feed.
func wiredServer(tb testing.TB, gap time.Duration, opts Options, follow func(magi.Store, *feed.Hub) magi.Follower) *testServer {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "magi.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	c := &council.Council{Agents: map[magi.AgentID]magi.Agent{}, Providers: map[string]magi.Provider{"fake": wordProvider{gap}},
		Retry: provider.Policy{Attempts: 1}, Tracer: opts.Tracer}
	for _, a := range magi.DefaultAgents() {
		a.Provider, a.Model = "fake", "m"
		c.Agents[a.ID] = a
	}
	hub := feed.NewHub(feed.HubOptions{})
	j := feed.NewJournal(st, hub)
	j.Trace(opts.Tracer)
	runner := council.NewRunner(c, func(ctx context.Context, d magi.NewDeliberation) (council.Writer, <-chan error) {
		return j.Begin(ctx, d)
	}, 4, nil)
	var f magi.Follower = feed.NewFeed(st, hub)
	if follow != nil {
		f = follow(st, hub)
	}
	srv := New(runner, st, f, nil, nil, opts)
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = runner.Shutdown(ctx)
		j.Close()
		srv.CloseStreams()
		ts.Close()
		st.Close()
	})
	return &testServer{Server: ts, srv: srv, runner: runner, store: st}
}

// sseEvent is one parsed event of a stream.
type sseEvent struct {
	id    string
	event magi.Event
	raw   string
}

// readSSE parses a whole stream. It fails on an `event:` line.
func readSSE(t *testing.T, body io.Reader) (events []sseEvent, pings int) {
	t.Helper()
	r := newSSEReader(body)
	return r.rest(t), r.pings
}

// sseReader parses a stream event by event.
type sseReader struct {
	sc    *bufio.Scanner
	pings int
}

func newSSEReader(body io.Reader) *sseReader {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	return &sseReader{sc: sc}
}

// next returns the next event, or false at the end of the stream.
func (r *sseReader) next(t *testing.T) (sseEvent, bool) {
	t.Helper()
	var cur sseEvent
	for r.sc.Scan() {
		line := r.sc.Text()
		switch {
		case line == "":
			if cur.raw != "" {
				return cur, true
			}
			cur = sseEvent{}
		case line == ": ping":
			r.pings++
		case strings.HasPrefix(line, "id: "):
			cur.id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "data: "):
			if cur.raw != "" {
				t.Errorf("two data lines in one event")
			}
			cur.raw = strings.TrimPrefix(line, "data: ")
			if err := json.Unmarshal([]byte(cur.raw), &cur.event); err != nil {
				t.Fatalf("bad event JSON %q: %v", cur.raw, err)
			}
		default:
			t.Errorf("unexpected stream line %q", line)
		}
	}
	return sseEvent{}, false
}

// rest reads r to the end of the stream.
func (r *sseReader) rest(t *testing.T) []sseEvent {
	t.Helper()
	var events []sseEvent
	for {
		e, ok := r.next(t)
		if !ok {
			return events
		}
		events = append(events, e)
	}
}

// untilChunk reads r up to and including its first chunk event.
func (r *sseReader) untilChunk(t *testing.T) []sseEvent {
	t.Helper()
	var events []sseEvent
	for {
		e, ok := r.next(t)
		if !ok {
			t.Fatalf("the stream ended before any chunk, after %d events", len(events))
		}
		events = append(events, e)
		if e.event.Type == magi.EventChunk {
			return events
		}
	}
}

// checkSequence asserts ids from..to, id == seq, and exactly one terminal
// event, last.
func checkSequence(t *testing.T, events []sseEvent, from int64) {
	t.Helper()
	if len(events) == 0 {
		t.Fatal("no events")
	}
	for i, e := range events {
		want := from + int64(i)
		if e.id != strconv.FormatInt(want, 10) || e.event.Seq != want {
			t.Fatalf("event %d has id %q seq %d, want %d", i, e.id, e.event.Seq, want)
		}
		if e.event.Terminal() != (i == len(events)-1) {
			t.Fatalf("event %d (%s) terminal=%v; exactly the last must be terminal", i, e.event.Type, e.event.Terminal())
		}
	}
}

func post(t *testing.T, url, body string, header ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func get(t *testing.T, url string, header ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func decode[T any](t *testing.T, resp *http.Response) T {
	t.Helper()
	defer resp.Body.Close()
	var v T
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", resp.Request.URL, err)
	}
	return v
}

func apiError(t *testing.T, resp *http.Response) (int, string) {
	t.Helper()
	b := decode[errorBody](t, resp)
	if b.Error.Message == "" {
		t.Errorf("error without a message")
	}
	return resp.StatusCode, b.Error.Code
}

var _ = fmt.Sprintf
