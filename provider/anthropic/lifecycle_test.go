package anthropic_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakeanthropic"
)

// hangingHandler sends the first delta, then holds the stream open until the
// client goes away, which it reports by closing gone.
func hangingHandler(gone chan<- struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fakeanthropic.WriteSSE(w, helloEvents[:4])
		<-r.Context().Done()
		close(gone)
	}
}

func TestAnthropic_CancelClosesConnection(t *testing.T) {
	gone := make(chan struct{})
	p, _ := newProvider(t, hangingHandler(gone))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var texts []string
	var err error
	for d, e := range p.Stream(ctx, magi.Request{Model: "m", Prompt: "q"}) {
		if e != nil {
			err = e
			break
		}
		texts = append(texts, d.Text)
		cancel()
	}
	if len(texts) != 1 || texts[0] != "Hello" {
		t.Errorf("texts = %q, want [Hello]", texts)
	}
	if pe := providerError(t, err); pe.Kind != magi.KindCancelled {
		t.Errorf("kind = %q, want cancelled", pe.Kind)
	}
	waitClosed(t, gone, "cancel")
}

func TestAnthropic_StopEarlyClosesStream(t *testing.T) {
	gone := make(chan struct{})
	p, _ := newProvider(t, hangingHandler(gone))
	n := 0
	for range p.Stream(context.Background(), magi.Request{Model: "m", Prompt: "q"}) {
		n++
		break
	}
	if n != 1 {
		t.Fatalf("got %d deltas before break", n)
	}
	waitClosed(t, gone, "break")
}

func TestAnthropic_Check(t *testing.T) {
	tests := []struct {
		name   string
		status int
		typ    string
		want   magi.ErrorKind
	}{
		{"ok", http.StatusOK, "", ""},
		{"bad key", http.StatusUnauthorized, "authentication_error", magi.KindAuth},
		{"unknown model", http.StatusNotFound, "not_found_error", magi.KindNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var path string
			p, _ := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
				path = r.Method + " " + r.URL.Path
				if tt.status != http.StatusOK {
					fakeanthropic.WriteError(w, tt.status, tt.typ, "no")
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"type":"model","id":"claude-x","display_name":"Claude X","created_at":"2025-02-19T00:00:00Z"}`))
			})
			err := p.Check(context.Background(), "claude-x")
			if path != "GET /v1/models/claude-x" {
				t.Errorf("called %q", path)
			}
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			if pe := providerError(t, err); pe.Kind != tt.want {
				t.Errorf("kind = %q, want %q", pe.Kind, tt.want)
			}
		})
	}
}
