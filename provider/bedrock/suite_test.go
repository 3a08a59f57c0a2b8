package bedrock_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/provider/bedrock"
	"github.com/magi-system/magi/provider/providertest"
)

const testAccessKey = "AKIAIOSFODNN7EXAMPLE"

func TestBedrock_Suite(t *testing.T) {
	isolate(t)
	connect := func(t *testing.T, url string) *bedrock.Provider {
		p, err := bedrock.New(context.Background(), bedrock.Config{
			Region:      "us-east-1",
			EndpointURL: url,
			Credentials: credentials.NewStaticCredentialsProvider(testAccessKey, testSecret, ""),
		})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		return p
	}
	providertest.Run(t, providertest.Harness{
		Model:  "anthropic.claude-3-haiku-20240307-v1:0",
		APIKey: testAccessKey,
		New: func(t *testing.T, s providertest.Script) (magi.Provider, providertest.Upstream) {
			fake := &scripted{t: t, script: s}
			return connect(t, httptestServer(t, fake.ServeHTTP).URL), fake
		},
		Unreachable: func(t *testing.T, url string) magi.Provider { return connect(t, url) },
	})
}

// scripted is a fake Bedrock runtime that answers as its Script says, in
// the binary event stream, and counts its calls.
type scripted struct {
	t      *testing.T
	script providertest.Script
	mu     sync.Mutex
	n      int
	open   int
}

// exceptions are the Bedrock errors a status stands for.
var exceptions = map[int]string{
	400: "ValidationException", 401: "UnrecognizedClientException", 403: "AccessDeniedException",
	404: "ResourceNotFoundException", 408: "ModelTimeoutException", 429: "ThrottlingException",
	500: "InternalServerException", 503: "ServiceUnavailableException",
}

func (f *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.n++
	n := f.n
	f.open++
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.open--
		f.mu.Unlock()
	}()
	io.Copy(io.Discard, r.Body) // so the server notices the client leaving
	s := f.script
	if s.Refuse(n) {
		if s.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(s.RetryAfter/time.Second)))
		}
		writeAWSError(w, s.Status, exceptions[s.Status], s.Message)
		return
	}
	f.stream(r.Context(), w, s)
}

// stream answers with s.Tokens, cutting or hanging where s says.
func (f *scripted) stream(ctx context.Context, w http.ResponseWriter, s providertest.Script) {
	if s.Hang && s.HangAfter == 0 {
		<-ctx.Done()
		return
	}
	startFrames(w)
	enc := eventstream.NewEncoder()
	send := func(fr frame) bool { return writeFrame(f.t, enc, w, fr) }
	send(event("messageStart", `{"p":"abcdef","role":"assistant"}`))
	for i, tok := range s.Tokens {
		if !f.pause(ctx, w, s, i) {
			return
		}
		text, _ := json.Marshal(tok)
		if !send(event("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":`+string(text)+`},"p":"abc"}`)) {
			return
		}
	}
	if !f.pause(ctx, w, s, len(s.Tokens)) {
		return
	}
	u := s.Usage
	send(event("contentBlockStop", `{"contentBlockIndex":0,"p":"abcdefgh"}`))
	send(event("messageStop", `{"p":"abcd","stopReason":"end_turn"}`))
	send(event("metadata", fmt.Sprintf(`{"metrics":{"latencyMs":42},"p":"ab","usage":{"inputTokens":%d,"outputTokens":%d,"totalTokens":%d}}`,
		u.InputTokens, u.OutputTokens, u.InputTokens+u.OutputTokens)))
}

// pause runs before token i: it waits the Gap, or cuts or hangs the
// stream; false means stop answering.
func (f *scripted) pause(ctx context.Context, w http.ResponseWriter, s providertest.Script, i int) bool {
	switch {
	case s.Cut && i == s.CutAfter:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
		return false
	case s.Hang && i == s.HangAfter:
		<-ctx.Done()
		return false
	case i > 0 && s.Gap > 0:
		select {
		case <-ctx.Done():
			return false
		case <-time.After(s.Gap):
		}
	}
	return true
}

// Requests is the number of calls received.
func (f *scripted) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

// WaitIdle returns once no call is being answered, or with ctx's error.
func (f *scripted) WaitIdle(ctx context.Context) error {
	for {
		f.mu.Lock()
		open := f.open
		f.mu.Unlock()
		if open == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// TestBedrock_StreamsSurviveFastServers guards against the SDK closing the
// request body while net/http still reads it, which closed the connection
// under a live stream whenever the server answered fast.
func TestBedrock_StreamsSurviveFastServers(t *testing.T) {
	fake := &scripted{t: t, script: providertest.Script{Tokens: []string{"a", "b", "c"}, Gap: 2 * time.Millisecond}}
	p, _ := newProvider(t, fake.ServeHTTP)
	for i := range 30 {
		texts, _, err := collect(p.Stream(context.Background(), magi.Request{Model: "m", Prompt: "q"}))
		if err != nil || len(texts) != 3 {
			t.Fatalf("stream %d: texts %q, error %v", i, texts, err)
		}
	}
}
