package council

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/await"
	"github.com/magi-system/magi/provider"
)

// fakeProvider is a func-field fake of magi.Provider.
type fakeProvider struct {
	stream func(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error]
}

var _ magi.Provider = (*fakeProvider)(nil)

func (f *fakeProvider) Stream(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
	return f.stream(ctx, req)
}

// words streams text word by word with gap between words, then usage.
func words(ctx context.Context, text string, gap time.Duration) iter.Seq2[magi.Delta, error] {
	return func(yield func(magi.Delta, error) bool) {
		for _, w := range strings.SplitAfter(text, " ") {
			if gap > 0 {
				select {
				case <-time.After(gap):
				case <-ctx.Done():
					yield(magi.Delta{}, &magi.ProviderError{Kind: magi.KindCancelled, Err: ctx.Err()})
					return
				}
			}
			if !yield(magi.Delta{Text: w}, nil) {
				return
			}
		}
		yield(magi.Delta{Usage: &magi.Usage{InputTokens: 10, OutputTokens: int64(len(strings.Fields(text)))}}, nil)
	}
}

func fail(err error) iter.Seq2[magi.Delta, error] {
	return func(yield func(magi.Delta, error) bool) { yield(magi.Delta{}, err) }
}

func verdictText(prose string, d magi.Decision, conf float64, conds ...string) string {
	c := "[]"
	if len(conds) > 0 {
		c = `["` + strings.Join(conds, `","`) + `"]`
	}
	return fmt.Sprintf("%s\n```json\n{\"decision\": %q, \"confidence\": %v, \"summary\": \"%s\", \"conditions\": %s}\n```",
		prose, d, conf, "because", c)
}

const judgeText = "I weigh them.\n{\"decision\": \"APPROVED\", \"confidence\": 0.7, \"summary\": \"go\", \"scores\": {\"melchior\": 80, \"balthasar\": 65, \"casper\": 72}}"

// scripted returns a council whose agents answer with the given streams.
// It runs one round unless a question asks for more (see rounds_test.go).
func scripted(answers map[magi.AgentID]func(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error]) *Council {
	c := &Council{Agents: map[magi.AgentID]magi.Agent{}, Providers: map[string]magi.Provider{},
		Retry: provider.Policy{Attempts: 3, Base: time.Millisecond, MaxDelay: 5 * time.Millisecond}, Rounds: 1}
	for _, a := range magi.DefaultAgents() {
		name := "fake-" + string(a.ID)
		a.Provider, a.Model = name, "model-"+string(a.ID)
		c.Agents[a.ID] = a
		if f := answers[a.ID]; f != nil {
			c.Providers[name] = &fakeProvider{stream: f}
		}
	}
	return c
}

func say(text string, gap time.Duration) func(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
	return func(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] { return words(ctx, text, gap) }
}

// recorder is an Emitter that keeps every event, numbering them.
type recorder struct {
	mu     sync.Mutex
	events []magi.Event
}

func (r *recorder) Emit(e magi.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e.Seq = int64(len(r.events) + 1)
	e.Timestamp = time.Now()
	r.events = append(r.events, e)
}

func (r *recorder) all() []magi.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]magi.Event(nil), r.events...)
}

func (r *recorder) of(typ magi.EventType, agent magi.AgentID) []magi.Event {
	var out []magi.Event
	for _, e := range r.all() {
		if e.Type == typ && (agent == "" || e.Agent == agent) {
			out = append(out, e)
		}
	}
	return out
}

// checkNoLeak fails if goroutines started during the test outlive it.
func checkNoLeak(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		await.Until(2*time.Second, func() bool { return runtime.NumGoroutine() <= before })
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("goroutines leaked: %d before, %d after\n%s", before, n, buf[:runtime.Stack(buf, true)])
		}
	})
}
