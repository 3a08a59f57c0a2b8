package lambda_test

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/council"
	"github.com/magi-system/magi/feed"
	"github.com/magi-system/magi/lambda"
	"github.com/magi-system/magi/provider"
	"github.com/magi-system/magi/server"
	"github.com/magi-system/magi/store/sqlite"
)

// The function process is this test binary run again with
// MAGI_LAMBDA_HELPER=1: aws-lambda-go's loop never returns and ends the
// process with os.Exit when the Runtime API fails, so it cannot share the
// test's process.

// startFunction starts the function process against rt and stops it when
// the test ends.
func startFunction(t *testing.T, rt *fakeRuntime) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "MAGI_LAMBDA_HELPER=1",
		"AWS_LAMBDA_RUNTIME_API="+rt.address(), "MAGI_LAMBDA_GATE="+rt.srv.URL+"/gate",
		"MAGI_LAMBDA_DIR="+t.TempDir())
	var stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("function process output:\n%s", stderr.String())
		}
	})
}

// TestHelperProcess is the function process; run by itself it does nothing.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("MAGI_LAMBDA_HELPER") != "1" {
		return
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	h, err := functionHandler(ctx, os.Getenv("MAGI_LAMBDA_DIR"), os.Getenv("MAGI_LAMBDA_GATE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(3)
	}
	err = lambda.Run(ctx, h, log)
	fmt.Fprintln(os.Stderr, "helper: Run returned:", err)
	os.Exit(3)
}

// functionHandler is the function's HTTP handler: MAGI's real server on a
// council of gated fake models; under /fail/ the same server whose event
// streams break after two events, under /panicky/ one whose streams panic
// then; /panic and /panic-early, handlers of their own, panic after and
// before sending their header.
func functionHandler(ctx context.Context, dir, gate string) (http.Handler, error) {
	st, err := sqlite.Open(ctx, filepath.Join(dir, "magi.db"), sqlite.Options{})
	if err != nil {
		return nil, err
	}
	hub := feed.NewHub(feed.HubOptions{})
	journal := feed.NewJournal(st, hub)
	fd := feed.NewFeed(st, hub)
	c := &council.Council{Agents: map[magi.AgentID]magi.Agent{},
		Providers: map[string]magi.Provider{"fake": gatedModel{gate: gate}}, Retry: provider.DefaultPolicy()}
	for _, a := range magi.DefaultAgents() {
		a.Provider, a.Model = "fake", "fake-1"
		c.Agents[a.ID] = a
	}
	runner := council.NewRunner(c, func(ctx context.Context, d magi.NewDeliberation) (council.Writer, <-chan error) {
		return journal.Begin(ctx, d)
	}, 0, nil)
	good := server.New(runner, st, fd, nil, nil, server.Options{})
	broken := server.New(runner, st, breaksAfter{Follower: fd, n: 2}, nil, nil, server.Options{})
	panicky := server.New(runner, st, breaksAfter{Follower: fd, n: 2, panics: true}, nil, nil, server.Options{})

	mux := http.NewServeMux()
	mux.Handle("/", good.Handler())
	mux.Handle("/fail/", http.StripPrefix("/fail", broken.Handler()))
	mux.Handle("/panicky/", http.StripPrefix("/panicky", panicky.Handler()))
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte("id: 1\ndata: {\"type\":\"start\",\"seq\":1}\n\n"))
		_ = http.NewResponseController(w).Flush()
		panic("boom")
	})
	mux.HandleFunc("/panic-early", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	return mux, nil
}

// gatedModel is a fake model. MELCHIOR, asked a question containing
// "GATE", writes "FIRST " and then waits at the fake runtime's gate, which
// the test opens only once that chunk has reached the Runtime API.
type gatedModel struct{ gate string }

func (m gatedModel) Stream(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
	return func(yield func(magi.Delta, error) bool) {
		if req.Agent == magi.Solomon {
			yield(magi.Delta{Text: `The sages agree. {"decision": "APPROVED", "confidence": 0.7, "summary": "ship it", "conditions": [], "scores": {"melchior": 80, "balthasar": 70, "casper": 60}}`}, nil)
			return
		}
		if req.Agent == magi.Melchior && strings.Contains(req.Prompt, "GATE") {
			if !yield(magi.Delta{Text: "FIRST "}, nil) {
				return
			}
			if err := m.wait(ctx); err != nil {
				yield(magi.Delta{}, err)
				return
			}
		}
		yield(magi.Delta{Text: `then the rest. {"decision": "APPROVED", "confidence": 0.8, "summary": "fine", "conditions": []}`,
			Usage: &magi.Usage{InputTokens: 10, OutputTokens: 5}}, nil)
	}
}

func (m gatedModel) wait(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.gate, nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: &http.Transport{}, Timeout: time.Minute}).Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("gate: %s", resp.Status)
	}
	return nil
}

// breaksAfter is a follower whose streams fail after n events, as when
// the database goes away mid-stream; with panics set, they panic instead.
type breaksAfter struct {
	magi.Follower
	n      int
	panics bool
}

func (b breaksAfter) Follow(id string, after int64) magi.Stream {
	return &breaking{Stream: b.Follower.Follow(id, after), left: b.n, panics: b.panics}
}

type breaking struct {
	magi.Stream
	left   int
	panics bool
}

func (s *breaking) Next(ctx context.Context) (magi.Encoded, bool, error) {
	if s.left == 0 {
		if s.panics {
			panic("the stream broke")
		}
		return magi.Encoded{}, false, magi.Errorf(magi.EUNAVAILABLE, "the database went away")
	}
	x, ok, err := s.Stream.Next(ctx)
	if ok {
		s.left--
	}
	return x, ok, err
}

// syncBuffer is a bytes.Buffer safe for the process's two output streams.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
