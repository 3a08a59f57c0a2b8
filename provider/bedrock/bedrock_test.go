package bedrock_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakebedrock"
	"github.com/magi-system/magi/provider/bedrock"
)

// collect drains a stream into its texts, last usage and error.
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

// providerError asserts err is a *magi.ProviderError.
func providerError(t *testing.T, err error) *magi.ProviderError {
	t.Helper()
	var pe *magi.ProviderError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *magi.ProviderError", err, err)
	}
	return pe
}

type converseBody struct {
	Messages []struct {
		Role    string `json:"role"`
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
	} `json:"messages"`
	System []struct {
		Text string `json:"text"`
	} `json:"system"`
	InferenceConfig struct {
		MaxTokens   int      `json:"maxTokens"`
		Temperature *float64 `json:"temperature"`
	} `json:"inferenceConfig"`
}

func TestBedrock_StreamTextThenUsage(t *testing.T) {
	var body converseBody
	var model, op, auth string
	p, _ := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		model, op = fakebedrock.ModelOf(r)
		auth = r.Header.Get("Authorization")
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("decode request: %v", err)
		}
		fakebedrock.WriteFrames(w, helloFrames)
	})
	temp := 0.25
	texts, usage, err := collect(p.Stream(context.Background(), magi.Request{
		Model: "anthropic.claude-3-haiku-20240307-v1:0", System: "You are CASPER.", Prompt: "Should we?", Temperature: &temp,
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
	if model != "anthropic.claude-3-haiku-20240307-v1:0" || op != "converse-stream" {
		t.Errorf("called model %q op %q", model, op)
	}
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/") || !strings.Contains(auth, "/us-west-2/bedrock/") {
		t.Errorf("request not signed for us-west-2 bedrock: %q", auth)
	}
	if len(body.Messages) != 1 || body.Messages[0].Role != "user" || body.Messages[0].Content[0].Text != "Should we?" {
		t.Errorf("messages = %+v", body.Messages)
	}
	if len(body.System) != 1 || body.System[0].Text != "You are CASPER." {
		t.Errorf("system = %+v", body.System)
	}
	ic := body.InferenceConfig
	if ic.MaxTokens != bedrock.DefaultMaxTokens || ic.Temperature == nil || *ic.Temperature != 0.25 {
		t.Errorf("inferenceConfig = maxTokens %d temperature %v", ic.MaxTokens, ic.Temperature)
	}
	noStreamGoroutines(t)
}

func TestBedrock_ExceptionMidStream(t *testing.T) {
	tests := []struct {
		exception string
		want      magi.ErrorKind
	}{
		{"throttlingException", magi.KindRateLimited},
		{"serviceUnavailableException", magi.KindUnavailable},
		{"modelStreamErrorException", magi.KindStream},
		{"validationException", magi.KindBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.exception, func(t *testing.T) {
			p, _ := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
				fakebedrock.WriteFrames(w, append(helloFrames[:2:2], fakebedrock.Exception(tt.exception, `{"message":"Too many requests"}`)))
			})
			texts, usage, err := collect(p.Stream(context.Background(), magi.Request{Model: "amazon.nova-lite-v1:0", Prompt: "q"}))
			if diff := cmp.Diff([]string{"Hello"}, texts); diff != "" {
				t.Errorf("texts before the exception (-want +got):\n%s", diff)
			}
			if usage != nil {
				t.Errorf("usage %+v reported for a failed stream", usage)
			}
			pe := providerError(t, err)
			want := magi.ProviderError{Kind: tt.want, Provider: "bedrock", Model: "amazon.nova-lite-v1:0", Endpoint: "us-west-2", Detail: "Too many requests"}
			got := magi.ProviderError{Kind: pe.Kind, Provider: pe.Provider, Model: pe.Model, Endpoint: pe.Endpoint, Detail: pe.Detail}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			noStreamGoroutines(t)
		})
	}
}

func TestBedrock_TruncatedStream(t *testing.T) {
	p, _ := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		fakebedrock.WriteFrames(w, helloFrames[:2])
	})
	texts, _, err := collect(p.Stream(context.Background(), magi.Request{Model: "m", Prompt: "q"}))
	if len(texts) != 1 {
		t.Errorf("texts = %q, want the one delta sent", texts)
	}
	if pe := providerError(t, err); pe.Kind != magi.KindStream {
		t.Errorf("kind = %q, want stream", pe.Kind)
	}
}

func TestBedrock_HTTPErrors(t *testing.T) {
	tests := []struct {
		status int
		code   string
		msg    string
		want   magi.ErrorKind
	}{
		{429, "ThrottlingException", "Too many requests, please wait before trying again.", magi.KindRateLimited},
		{403, "AccessDeniedException", "You don't have access to the model with the specified model ID.", magi.KindAuth},
		{403, "UnrecognizedClientException", "The security token included in the request is invalid.", magi.KindAuth},
		{403, "ExpiredTokenException", "The security token included in the request is expired", magi.KindAuth},
		{404, "ResourceNotFoundException", "Model not found.", magi.KindNotFound},
		{400, "ValidationException", "The provided model identifier is invalid.", magi.KindNotFound},
		{400, "ValidationException", "temperature: range: 0..1", magi.KindBadRequest},
		{503, "ServiceUnavailableException", "Service unavailable.", magi.KindUnavailable},
		{500, "InternalServerException", "Internal server error.", magi.KindUnavailable},
		{429, "ModelNotReadyException", "Model is not ready.", magi.KindUnavailable},
		{408, "ModelTimeoutException", "Model timed out.", magi.KindTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.code+" "+string(tt.want), func(t *testing.T) {
			var calls atomic.Int32
			p, _ := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				fakebedrock.WriteError(w, tt.status, tt.code, tt.msg)
			})
			texts, _, err := collect(p.Stream(context.Background(), magi.Request{Model: "meta.llama3-8b", Prompt: "q"}))
			if len(texts) != 0 {
				t.Errorf("texts = %q", texts)
			}
			pe := providerError(t, err)
			want := magi.ProviderError{Kind: tt.want, Provider: "bedrock", Model: "meta.llama3-8b", Endpoint: "us-west-2", Status: tt.status, Detail: tt.msg}
			got := magi.ProviderError{Kind: pe.Kind, Provider: pe.Provider, Model: pe.Model, Endpoint: pe.Endpoint, Status: pe.Status, Detail: pe.Detail}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("%d calls, want 1: the SDK must not retry", n)
			}
			for _, s := range []string{pe.Error(), fmt.Sprint(pe.Err)} {
				if strings.Contains(s, testSecret) {
					t.Errorf("error leaks the secret key: %s", s)
				}
			}
		})
	}
}

func TestBedrock_Unreachable(t *testing.T) {
	p, srv := newProvider(t, http.NotFound)
	srv.Close()
	_, _, err := collect(p.Stream(context.Background(), magi.Request{Model: "m", Prompt: "q"}))
	if pe := providerError(t, err); pe.Kind != magi.KindConnection {
		t.Errorf("kind = %q, want connection (%v)", pe.Kind, err)
	}
}

func TestBedrock_EndpointFromEnvironment(t *testing.T) {
	isolate(t)
	var hit atomic.Bool
	srv := httptestServer(t, func(w http.ResponseWriter, r *http.Request) {
		hit.Store(true)
		fakebedrock.WriteFrames(w, helloFrames)
	})
	t.Setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", srv.URL)
	t.Setenv("AWS_REGION", "eu-central-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", testSecret)
	p, err := bedrock.New(context.Background(), bedrock.Config{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	texts, _, err := collect(p.Stream(context.Background(), magi.Request{Model: "m", Prompt: "q"}))
	if err != nil || len(texts) != 2 || !hit.Load() {
		t.Errorf("texts %q err %v hit %v: the environment's endpoint was not used", texts, err, hit.Load())
	}
}

func TestBedrock_NoRegion(t *testing.T) {
	isolate(t)
	_, err := bedrock.New(context.Background(), bedrock.Config{})
	if magi.ErrorCode(err) != magi.ECONFIG {
		t.Errorf("New without a region: %v, want a %s error", err, magi.ECONFIG)
	}
}

func TestBedrock_DeadlineIsTimeout(t *testing.T) {
	p, _ := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // so the server notices the client leaving
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, _, err := collect(p.Stream(ctx, magi.Request{Model: "m", Prompt: "q"}))
	if pe := providerError(t, err); pe.Kind != magi.KindTimeout {
		t.Errorf("kind = %q, want timeout", pe.Kind)
	}
}
