package provider_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakeanthropic"
	"github.com/magi-system/magi/internal/fakebedrock"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/provider/anthropic"
	"github.com/magi-system/magi/provider/bedrock"
	"github.com/magi-system/magi/provider/openai"
)

// The same failure, whatever the wire format it arrives in, must be the
// same magi.ErrorKind with a message naming the provider, the model and
// the fix: the council, `magi doctor` and the UI rely on it.

// failure is an upstream misbehaviour, said without a wire format.
type failure struct {
	status int    // refuse with this status before streaming; 0 for none
	hang   bool   // send nothing until the client goes away
	detail string // the upstream's message
}

// upstream starts a fake in one provider's wire format that fails as f
// says, and returns the real provider pointed at it.
type upstream func(t *testing.T, f failure) magi.Provider

func openaiUpstream(t *testing.T, f failure) magi.Provider {
	fake := fakellm.New(fakellm.Config{Script: func(fakellm.Request) fakellm.Reply {
		return fakellm.Reply{Status: f.status, Message: f.detail, Hang: f.hang}
	}})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return openai.New(openai.Config{BaseURL: srv.URL + "/v1", APIKey: "sk-crosscheck-key"})
}

func anthropicUpstream(t *testing.T, f failure) magi.Provider {
	fake := fakeanthropic.New(fakeanthropic.Config{Script: func(fakeanthropic.Request) fakeanthropic.Reply {
		return fakeanthropic.Reply{Status: f.status, Message: f.detail, Hang: f.hang}
	}})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return anthropic.New(anthropic.Config{BaseURL: srv.URL, APIKey: "sk-ant-crosscheck-key"})
}

// bedrockCodes are the exceptions Bedrock sends for each failure.
var bedrockCodes = map[int]struct {
	status int
	code   string
}{
	http.StatusUnauthorized: {http.StatusForbidden, "UnrecognizedClientException"},
	http.StatusNotFound:     {http.StatusNotFound, "ResourceNotFoundException"},
	529:                     {http.StatusServiceUnavailable, "ServiceUnavailableException"},
}

func bedrockUpstream(t *testing.T, f failure) magi.Provider {
	rep := fakebedrock.Reply{Status: f.status, Message: f.detail, Hang: f.hang}
	if c, ok := bedrockCodes[f.status]; ok {
		rep.Status, rep.Code = c.status, c.code
	}
	return bedrockUpstreamReply(t, rep)
}

// bedrockUpstreamReply starts a fake Bedrock that answers every call with rep.
func bedrockUpstreamReply(t *testing.T, rep fakebedrock.Reply) magi.Provider {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	fake := fakebedrock.New(fakebedrock.Config{Script: func(fakebedrock.Request) fakebedrock.Reply { return rep }})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	p, err := bedrock.New(context.Background(), bedrock.Config{Region: "us-east-1", EndpointURL: srv.URL,
		Credentials: credentials.NewStaticCredentialsProvider("AKIACROSSCHECK000000", "crosscheck-secret", "")})
	if err != nil {
		t.Fatalf("bedrock.New: %v", err)
	}
	return p
}

// classifyCase is one failure and what every provider must make of it.
type classifyCase struct {
	name string
	f    failure
	// ctx returns the context of the call: a short deadline, or one
	// cancelled while the upstream hangs.
	ctx  func(t *testing.T) context.Context
	kind magi.ErrorKind
	// fix is what the message must tell the user to do; %s is the provider.
	fix string
}

var classifyCases = []classifyCase{
	{"auth", failure{status: http.StatusUnauthorized, detail: "invalid key"}, nil, magi.KindAuth, "check the %s API key"},
	{"not found", failure{status: http.StatusNotFound, detail: "no such model"}, nil, magi.KindNotFound, "check the model id"},
	{"rate limited", failure{status: http.StatusTooManyRequests, detail: "slow down"}, nil, magi.KindRateLimited, "wait, or lower the request rate"},
	{"overloaded", failure{status: 529, detail: "Overloaded"}, nil, magi.KindUnavailable, "try again later or configure a fallback"},
	{"unavailable", failure{status: http.StatusServiceUnavailable, detail: "down"}, nil, magi.KindUnavailable, "try again later or configure a fallback"},
	{"bad request", failure{status: http.StatusBadRequest, detail: "temperature: must be at most 1"}, nil, magi.KindBadRequest, "check the model's parameters"},
	{"timeout", failure{hang: true}, deadline(150 * time.Millisecond), magi.KindTimeout, "raise the agent's timeout"},
	{"cancelled", failure{hang: true}, cancelAfter(100 * time.Millisecond), magi.KindCancelled, "cancelled"},
}

func deadline(d time.Duration) func(*testing.T) context.Context {
	return func(t *testing.T) context.Context {
		ctx, cancel := context.WithTimeout(t.Context(), d)
		t.Cleanup(cancel)
		return ctx
	}
}

func cancelAfter(d time.Duration) func(*testing.T) context.Context {
	return func(t *testing.T) context.Context {
		ctx, cancel := context.WithCancel(t.Context())
		stop := time.AfterFunc(d, cancel)
		t.Cleanup(func() { stop.Stop(); cancel() })
		return ctx
	}
}

func TestClassify_SameKindForEveryProvider(t *testing.T) {
	providers := []struct {
		name, model string
		start       upstream
	}{
		{"openai", "llama3.2", openaiUpstream},
		{"anthropic", "claude-sonnet-4-5", anthropicUpstream},
		{"bedrock", "amazon.nova-lite-v1:0", bedrockUpstream},
	}
	for _, tc := range classifyCases {
		for _, pv := range providers {
			t.Run(tc.name+"/"+pv.name, func(t *testing.T) {
				ctx := context.Background()
				if tc.ctx != nil {
					ctx = tc.ctx(t)
				}
				p := pv.start(t, tc.f)
				pe := firstError(t, p.Stream(ctx, magi.Request{Model: pv.model, Prompt: "Should we?"}))
				if pe.Kind != tc.kind {
					t.Errorf("kind %q, want %q (%v)", pe.Kind, tc.kind, pe)
				}
				msg := pe.Error()
				fix := strings.ReplaceAll(tc.fix, "%s", pv.name)
				if tc.kind == magi.KindAuth && pv.name == "bedrock" {
					fix = "check the AWS credentials" // Bedrock has no API key
				}
				for _, want := range []string{pv.name + " model " + pv.model, fix} {
					if !strings.Contains(msg, want) {
						t.Errorf("message %q lacks %q", msg, want)
					}
				}
				if tc.f.detail != "" && !strings.Contains(pe.Detail, tc.f.detail) {
					t.Errorf("detail %q lacks the upstream's message %q", pe.Detail, tc.f.detail)
				}
			})
		}
	}
}

// firstError drains a stream that must fail before any text, and returns
// its *magi.ProviderError.
func firstError(t *testing.T, seq func(func(magi.Delta, error) bool)) *magi.ProviderError {
	t.Helper()
	for d, err := range seq {
		if err == nil {
			t.Fatalf("got %+v, want a failure before any text", d)
		}
		var pe *magi.ProviderError
		if !errors.As(err, &pe) {
			t.Fatalf("error %v (%T) is not a *magi.ProviderError", err, err)
		}
		return pe
	}
	t.Fatal("the stream ended without an error")
	return nil
}

// TestClassify_OverloadedMidStream: a server that breaks off an answer
// because it is overloaded is unavailable, whether the refusal came before
// the first token or as an error event after some text.
func TestClassify_OverloadedMidStream(t *testing.T) {
	tokens := []string{"The", " evidence"}
	starts := map[string]func(t *testing.T) magi.Provider{
		"anthropic": func(t *testing.T) magi.Provider {
			fake := fakeanthropic.New(fakeanthropic.Config{Script: func(fakeanthropic.Request) fakeanthropic.Reply {
				return fakeanthropic.Reply{Tokens: tokens, StreamError: "overloaded_error", Message: "Overloaded", ErrorAfter: 1}
			}})
			srv := httptest.NewServer(fake)
			t.Cleanup(srv.Close)
			return anthropic.New(anthropic.Config{BaseURL: srv.URL, APIKey: "k"})
		},
		"bedrock": func(t *testing.T) magi.Provider {
			return bedrockUpstreamReply(t, fakebedrock.Reply{Tokens: tokens, Exception: "serviceUnavailableException", Message: "Overloaded", ExceptionAfter: 1})
		},
		"openai": func(t *testing.T) magi.Provider {
			fake := fakellm.New(fakellm.Config{Script: func(fakellm.Request) fakellm.Reply {
				return fakellm.Reply{Tokens: tokens, StreamError: "Overloaded", ErrorAfter: 1}
			}})
			srv := httptest.NewServer(fake)
			t.Cleanup(srv.Close)
			return openai.New(openai.Config{BaseURL: srv.URL + "/v1", APIKey: "k"})
		},
	}
	for name, start := range starts {
		t.Run(name, func(t *testing.T) {
			var texts []string
			var pe *magi.ProviderError
			for d, err := range start(t).Stream(context.Background(), magi.Request{Model: "m", Prompt: "q"}) {
				if err != nil {
					if !errors.As(err, &pe) {
						t.Fatalf("error %v is not a *magi.ProviderError", err)
					}
					break
				}
				texts = append(texts, d.Text)
			}
			if len(texts) != 1 || pe == nil || pe.Kind != magi.KindUnavailable {
				t.Errorf("texts %q, error %v (kind %v), want one text then unavailable", texts, pe, kindOf(pe))
			}
		})
	}
}

func kindOf(pe *magi.ProviderError) magi.ErrorKind {
	if pe == nil {
		return ""
	}
	return pe.Kind
}
