package term

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/magi-system/magi"
)

func TestDetect_Options(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, tc := range []struct {
		name   string
		isTerm bool
		w, h   int
		getenv func(string) string
		want   Options
	}{
		{"pipe", false, 0, 0, env("TERM", "xterm"), Options{Mode: Plain}},
		{"wide", true, 160, 50, env("TERM", "xterm"), Options{Mode: Panes, Width: 160, Height: 50, Color: true}},
		{"narrow", true, 80, 24, env("TERM", "xterm"), Options{Mode: Lines, Width: 80, Height: 24, Color: true}},
		{"short", true, 160, 10, env(), Options{Mode: Lines, Width: 160, Height: 10, Color: true}},
		{"no colour", true, 160, 50, env("NO_COLOR", "1"), Options{Mode: Panes, Width: 160, Height: 50}},
		{"dumb", true, 160, 50, env("TERM", "dumb"), Options{Mode: Plain, Width: 160, Height: 50}},
		{"size unknown", true, 0, 0, env(), Options{Mode: Lines, Width: 80, Height: 24, Color: true}},
	} {
		got := detect(tc.isTerm, tc.w, tc.h, tc.getenv)
		if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(Options{}, "Now")); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestDetect_Pipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if got := Detect(w, func(string) string { return "" }); got.Mode != Plain || got.Color {
		t.Errorf("Detect(pipe) = %+v, want plain without colour", got)
	}
}

func TestNew_AutoMode(t *testing.T) {
	for _, tc := range []struct {
		w, h int
		want Mode
	}{{0, 0, Plain}, {80, 24, Lines}, {120, 40, Panes}, {120, 0, Panes}, {120, 10, Lines}} {
		if got := New(&strings.Builder{}, Options{Width: tc.w, Height: tc.h}).Mode(); got != tc.want {
			t.Errorf("New(%dx%d).Mode() = %v, want %v", tc.w, tc.h, got, tc.want)
		}
	}
}

// syncWriter lets the test read what was written while the renderer runs.
type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func TestRenderer_TickConcurrently(t *testing.T) {
	var w syncWriter
	r := New(&w, Options{Mode: Panes, Width: 120, Height: 30, Color: true})
	done := make(chan struct{})
	ticked := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				r.Tick()
				select {
				case ticked <- struct{}{}:
				default:
				}
			}
		}
	})
	for _, e := range newFixture().build() {
		r.Event(e)
		<-ticked // a tick drawn between each two events
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	close(done)
	wg.Wait()
	r.Event(magi.Event{Type: magi.EventChunk, Agent: magi.Melchior, Content: "after close"})
	r.Tick()
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.b.String()
	if strings.Contains(out, "after close") {
		t.Error("an event after Close was drawn")
	}
	mustContain(t, strings.Join(play(t, out).text(), "\n"), "MAGI DECISION  条件付 CONDITIONAL")
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestRenderer_CloseReportsWriteError(t *testing.T) {
	r := New(failWriter{}, Options{Mode: Plain})
	for _, e := range newFixture().build() {
		r.Event(e)
	}
	if err := r.Close(); err != os.ErrClosed {
		t.Errorf("Close() = %v, want %v", err, os.ErrClosed)
	}
}
