package anthropic_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakeanthropic"
	"github.com/magi-system/magi/provider/anthropic"
)

const testKey = "sk-ant-test-secret-key"

var helloEvents = []string{
	fakeanthropic.Event("message_start", `{"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}`),
	fakeanthropic.Event("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`),
	fakeanthropic.Event("ping", `{"type": "ping"}`),
	fakeanthropic.Event("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`),
	fakeanthropic.Event("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", world"}}`),
	fakeanthropic.Event("content_block_stop", `{"type":"content_block_stop","index":0}`),
	fakeanthropic.Event("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}`),
	fakeanthropic.Event("message_stop", `{"type":"message_stop"}`),
}

func newProvider(t *testing.T, h http.HandlerFunc) (*anthropic.Provider, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return anthropic.New(anthropic.Config{APIKey: testKey, BaseURL: srv.URL, HTTPClient: srv.Client()}), srv
}

// collect drains a stream into its text, last usage and error.
func collect(seq func(func(magi.Delta, error) bool)) (texts []string, usage *magi.Usage, err error) {
	for d, e := range seq {
		if e != nil {
			return texts, usage, e
		}
		if d.Text != "" {
			texts = append(texts, d.Text)
		}
		if d.Usage != nil {
			usage = d.Usage
		}
	}
	return texts, usage, nil
}

func TestAnthropic_StreamTextThenUsage(t *testing.T) {
	var got struct {
		Model       string   `json:"model"`
		MaxTokens   int      `json:"max_tokens"`
		Stream      bool     `json:"stream"`
		Temperature *float64 `json:"temperature"`
		System      []struct {
			Text string `json:"text"`
		} `json:"system"`
		Messages []struct {
			Role    string `json:"role"`
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"messages"`
	}
	var path, key string
	p, _ := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		path, key = r.URL.Path, r.Header.Get("X-Api-Key")
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			t.Errorf("decode request: %v", err)
		}
		fakeanthropic.WriteSSE(w, helloEvents)
	})
	temp := 0.3
	texts, usage, err := collect(p.Stream(context.Background(), magi.Request{
		Model: "claude-sonnet-4-5", System: "You are MELCHIOR.", Prompt: "Should we?", Temperature: &temp,
	}))
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	if diff := cmp.Diff([]string{"Hello", ", world"}, texts); diff != "" {
		t.Errorf("texts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&magi.Usage{InputTokens: 25, OutputTokens: 15}, usage); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
	if path != "/v1/messages" || key != testKey {
		t.Errorf("path %q key %q, want /v1/messages and the configured key", path, key)
	}
	if got.Model != "claude-sonnet-4-5" || got.MaxTokens != anthropic.DefaultMaxTokens || !got.Stream {
		t.Errorf("model %q max_tokens %d stream %v", got.Model, got.MaxTokens, got.Stream)
	}
	if got.Temperature == nil || *got.Temperature != 0.3 {
		t.Errorf("temperature = %v, want 0.3", got.Temperature)
	}
	if len(got.System) != 1 || got.System[0].Text != "You are MELCHIOR." {
		t.Errorf("system = %+v", got.System)
	}
	if len(got.Messages) != 1 || got.Messages[0].Role != "user" || got.Messages[0].Content[0].Text != "Should we?" {
		t.Errorf("messages = %+v", got.Messages)
	}
}

func TestAnthropic_MaxTokensAndNoTemperature(t *testing.T) {
	var got map[string]any
	p, _ := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		json.NewDecoder(r.Body).Decode(&got)
		fakeanthropic.WriteSSE(w, helloEvents)
	})
	if _, _, err := collect(p.Stream(context.Background(), magi.Request{Model: "m", Prompt: "q", MaxTokens: 700})); err != nil {
		t.Fatal(err)
	}
	if got["max_tokens"] != 700.0 {
		t.Errorf("max_tokens = %v, want 700", got["max_tokens"])
	}
	for _, k := range []string{"temperature", "system"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s sent although unset: %v", k, got[k])
		}
	}
}

func TestAnthropic_ErrorEventMidStream(t *testing.T) {
	p, _ := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		fakeanthropic.WriteSSE(w, append(helloEvents[:5:5],
			fakeanthropic.Event("error", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)))
	})
	texts, usage, err := collect(p.Stream(context.Background(), magi.Request{Model: "claude-x", Prompt: "q"}))
	if diff := cmp.Diff([]string{"Hello", ", world"}, texts); diff != "" {
		t.Errorf("texts before the error (-want +got):\n%s", diff)
	}
	if usage != nil {
		t.Errorf("usage %+v reported for a failed stream", usage)
	}
	pe := providerError(t, err)
	if pe.Kind != magi.KindUnavailable || !strings.Contains(pe.Detail, "Overloaded") {
		t.Errorf("kind %q detail %q, want unavailable with Overloaded", pe.Kind, pe.Detail)
	}
}

func TestAnthropic_TruncatedStream(t *testing.T) {
	p, _ := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		fakeanthropic.WriteSSE(w, helloEvents[:4])
	})
	texts, _, err := collect(p.Stream(context.Background(), magi.Request{Model: "m", Prompt: "q"}))
	if len(texts) != 1 {
		t.Errorf("texts = %q, want the one delta sent", texts)
	}
	if pe := providerError(t, err); pe.Kind != magi.KindStream {
		t.Errorf("kind = %q, want stream", pe.Kind)
	}
}

func TestAnthropic_StatusErrors(t *testing.T) {
	tests := []struct {
		status int
		typ    string
		want   magi.ErrorKind
	}{
		{401, "authentication_error", magi.KindAuth},
		{404, "not_found_error", magi.KindNotFound},
		{429, "rate_limit_error", magi.KindRateLimited},
		{529, "overloaded_error", magi.KindUnavailable},
		{500, "api_error", magi.KindUnavailable},
		{400, "invalid_request_error", magi.KindBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			calls := 0
			p, srv := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
				calls++
				fakeanthropic.WriteError(w, tt.status, tt.typ, "upstream says "+tt.typ+" to key "+testKey)
			})
			texts, _, err := collect(p.Stream(context.Background(), magi.Request{Model: "claude-x", Prompt: "q"}))
			if len(texts) != 0 {
				t.Errorf("texts = %q", texts)
			}
			pe := providerError(t, err)
			want := magi.ProviderError{Kind: tt.want, Provider: "anthropic", Model: "claude-x", Endpoint: srv.URL, Status: tt.status}
			got := magi.ProviderError{Kind: pe.Kind, Provider: pe.Provider, Model: pe.Model, Endpoint: pe.Endpoint, Status: pe.Status}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if !strings.Contains(pe.Detail, "upstream says") {
				t.Errorf("detail %q lacks the upstream message", pe.Detail)
			}
			if strings.Contains(fmt.Sprint(err), testKey) || strings.Contains(fmt.Sprint(errors.Unwrap(err)), testKey) {
				t.Errorf("error leaks the API key: %v", err)
			}
			if calls != 1 {
				t.Errorf("%d calls, want 1: the SDK must not retry", calls)
			}
		})
	}
}

func TestAnthropic_Unreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	p := anthropic.New(anthropic.Config{APIKey: testKey, BaseURL: srv.URL})
	_, _, err := collect(p.Stream(context.Background(), magi.Request{Model: "m", Prompt: "q"}))
	if pe := providerError(t, err); pe.Kind != magi.KindConnection {
		t.Errorf("kind = %q, want connection", pe.Kind)
	}
}

// providerError asserts err is a *magi.ProviderError.
func providerError(t *testing.T, err error) *magi.ProviderError {
	t.Helper()
	var pe *magi.ProviderError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *magi.ProviderError", err, err)
	}
	return pe
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
