package openai_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/provider/openai"
	"github.com/magi-system/magi/provider/providertest"
)

const testKey = "sk-test-secret-0123456789"

// reply translates a wire-neutral Script into the fake's reply to request n.
func reply(s providertest.Script, n int) fakellm.Reply {
	if s.Refuse(n) {
		return fakellm.Reply{Status: s.Status, Message: s.Message, RetryAfter: s.RetryAfter}
	}
	usage := s.Usage
	return fakellm.Reply{Tokens: s.Tokens, Gap: s.Gap, Usage: &usage, Cut: s.Cut, CutAfter: s.CutAfter, Hang: s.Hang, HangAfter: s.HangAfter}
}

// start serves fake and returns a provider pointed at it.
func start(t *testing.T, cfg fakellm.Config) (*openai.Provider, *fakellm.Server) {
	t.Helper()
	fake := fakellm.New(cfg)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return openai.New(openai.Config{BaseURL: srv.URL + "/v1", APIKey: cfg.APIKey}), fake
}

func TestSuite(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		Model:  "gpt-test",
		APIKey: testKey,
		New: func(t *testing.T, s providertest.Script) (magi.Provider, providertest.Upstream) {
			return start(t, fakellm.Config{APIKey: testKey, Script: func(r fakellm.Request) fakellm.Reply { return reply(s, r.N) }})
		},
		Unreachable: func(t *testing.T, url string) magi.Provider {
			return openai.New(openai.Config{BaseURL: url + "/v1", APIKey: testKey})
		},
	})
}

func TestStream_Request(t *testing.T) {
	var mu sync.Mutex
	var got []fakellm.Request
	p, _ := start(t, fakellm.Config{Script: func(r fakellm.Request) fakellm.Reply {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r)
		return fakellm.Reply{Text: "fine"}
	}})
	temp := 0.3
	for _, err := range p.Stream(t.Context(), magi.Request{Model: "llama3", System: "You are CASPER-3.", Prompt: "Q?", Temperature: &temp, MaxTokens: 99}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	r := got[0]
	want := []fakellm.Message{{Role: "system", Content: "You are CASPER-3."}, {Role: "user", Content: "Q?"}}
	if diff := cmp.Diff(want, r.Messages); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if r.Model != "llama3" || r.Agent != magi.Casper || !r.Stream || !r.IncludeUsage || r.MaxTokens != 99 || r.Temperature == nil || *r.Temperature != 0.3 {
		t.Errorf("request = %+v", r)
	}
}

func TestStream_DefaultAnswerHasVerdict(t *testing.T) {
	p, _ := start(t, fakellm.Config{Words: 12})
	var text strings.Builder
	for d, err := range p.Stream(t.Context(), magi.Request{Model: "m", System: "You are MELCHIOR-1.", Prompt: "Q?"}) {
		if err != nil {
			t.Fatal(err)
		}
		text.WriteString(d.Text)
	}
	if v := magi.ParseVerdict(text.String()); v.Decision != magi.Approved {
		t.Errorf("verdict %+v from %q", v, text.String())
	}
}

func TestStream_MidStreamErrorEvent(t *testing.T) {
	p, _ := start(t, fakellm.Config{Script: func(fakellm.Request) fakellm.Reply {
		return fakellm.Reply{Tokens: []string{"a", "b"}, StreamError: "model overloaded", ErrorAfter: 1}
	}})
	var texts []string
	var got error
	for d, err := range p.Stream(t.Context(), magi.Request{Model: "m"}) {
		if err != nil {
			got = err
			continue
		}
		texts = append(texts, d.Text)
	}
	var pe *magi.ProviderError
	if !errors.As(got, &pe) || pe.Kind != magi.KindUnavailable || !strings.Contains(pe.Detail, "overloaded") || len(texts) != 1 {
		t.Errorf("texts %q, err %v; want [a] then the server_error classified unavailable, as every provider does", texts, got)
	}
}

func TestStream_PlainTextError(t *testing.T) {
	p, _ := start(t, fakellm.Config{Script: func(fakellm.Request) fakellm.Reply {
		return fakellm.Reply{Status: 404, Body: "404 page not found"}
	}})
	var got error
	for _, err := range p.Stream(t.Context(), magi.Request{Model: "m"}) {
		got = err
	}
	var pe *magi.ProviderError
	if !errors.As(got, &pe) || pe.Kind != magi.KindNotFound || pe.Status != 404 {
		t.Errorf("err = %v, want not_found with status 404", got)
	}
}

func TestCheck(t *testing.T) {
	ok, _ := start(t, fakellm.Config{Models: []string{"llama3:latest", "qwen"}})
	for _, m := range []string{"", "qwen", "llama3"} {
		if err := ok.Check(t.Context(), m); err != nil {
			t.Errorf("Check(%q) = %v", m, err)
		}
	}
	noModels, _ := start(t, fakellm.Config{NoModels: true})
	if err := noModels.Check(t.Context(), "x"); err != nil {
		t.Errorf("a server without /models: %v, want reachable", err)
	}
	for name, tc := range map[string]struct {
		err  error
		want magi.ErrorKind
	}{
		"missing model": {ok.Check(t.Context(), "gpt-9"), magi.KindNotFound},
		"bad key":       {checkWithKey(t, "sk-wrong-key-000"), magi.KindAuth},
		"unreachable":   {openai.New(openai.Config{BaseURL: "http://127.0.0.1:1/v1"}).Check(t.Context(), "m"), magi.KindConnection},
	} {
		var pe *magi.ProviderError
		if !errors.As(tc.err, &pe) || pe.Kind != tc.want {
			t.Errorf("%s: %v, want %s", name, tc.err, tc.want)
		}
	}
}

func checkWithKey(t *testing.T, key string) error {
	srv := httptest.NewServer(fakellm.New(fakellm.Config{APIKey: "sk-right-key-111"}))
	t.Cleanup(srv.Close)
	err := openai.New(openai.Config{BaseURL: srv.URL + "/v1", APIKey: key}).Check(context.Background(), "m")
	if err != nil && strings.Contains(err.Error(), key) {
		t.Errorf("error repeats the key: %v", err)
	}
	return err
}
