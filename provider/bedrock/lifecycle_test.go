package bedrock_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakebedrock"
	"github.com/magi-system/magi/provider/bedrock"
)

// hangingHandler sends the first delta, then holds the stream open until the
// client goes away, which it reports by closing gone.
func hangingHandler(t *testing.T, gone chan<- struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // so the server notices the client leaving
		fakebedrock.WriteFrames(w, helloFrames[:2])
		select {
		case <-r.Context().Done():
			close(gone)
		case <-time.After(10 * time.Second):
		}
	}
}

// waitClosed fails the test unless done is closed soon.
func waitClosed(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: the upstream connection stayed open", what)
	}
}

func TestBedrock_CancelClosesConnection(t *testing.T) {
	gone := make(chan struct{})
	p, _ := newProvider(t, hangingHandler(t, gone))
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
	noStreamGoroutines(t)
}

func TestBedrock_StopEarlyClosesStream(t *testing.T) {
	gone := make(chan struct{})
	p, _ := newProvider(t, hangingHandler(t, gone))
	n := 0
	for range p.Stream(context.Background(), magi.Request{Model: "m", Prompt: "q"}) {
		n++
		break
	}
	if n != 1 {
		t.Fatalf("got %d deltas before break", n)
	}
	waitClosed(t, gone, "break")
	noStreamGoroutines(t)
}

func TestBedrock_Check(t *testing.T) {
	tests := []struct {
		name   string
		status int
		code   string
		msg    string
		want   magi.ErrorKind
	}{
		{"ok", http.StatusOK, "", "", ""},
		{"bad credentials", http.StatusForbidden, "UnrecognizedClientException", "The security token included in the request is invalid.", magi.KindAuth},
		{"unknown model", http.StatusBadRequest, "ValidationException", "The provided model identifier is invalid.", magi.KindNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var op string
			var body converseBody
			p, _ := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
				_, op = fakebedrock.ModelOf(r)
				json.NewDecoder(r.Body).Decode(&body)
				if tt.status != http.StatusOK {
					fakebedrock.WriteError(w, tt.status, tt.code, tt.msg)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"metrics":{"latencyMs":120},"output":{"message":{"content":[{"text":"P"}],"role":"assistant"}},"stopReason":"max_tokens","usage":{"inputTokens":8,"outputTokens":1,"totalTokens":9}}`))
			})
			err := p.Check(context.Background(), "amazon.nova-micro-v1:0")
			if op != "converse" || body.InferenceConfig.MaxTokens != 1 {
				t.Errorf("check called %q with maxTokens %d, want converse with 1", op, body.InferenceConfig.MaxTokens)
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

func TestBedrock_CheckWithoutCredentials(t *testing.T) {
	isolate(t)
	var calls atomic.Int32
	srv := httptestServer(t, func(w http.ResponseWriter, r *http.Request) { calls.Add(1) })
	noCreds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, errors.New("no EC2 IMDS role found")
	})
	p, err := bedrock.New(context.Background(), bedrock.Config{Region: "us-east-1", EndpointURL: srv.URL, Credentials: noCreds})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	err = p.Check(context.Background(), "amazon.nova-micro-v1:0")
	if pe := providerError(t, err); pe.Kind != magi.KindAuth || pe.Endpoint != "us-east-1" {
		t.Errorf("kind %q endpoint %q, want auth at us-east-1", pe.Kind, pe.Endpoint)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d calls to Bedrock without credentials", n)
	}
}
