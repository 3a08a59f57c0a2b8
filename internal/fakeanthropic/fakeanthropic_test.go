package fakeanthropic_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakeanthropic"
	"github.com/magi-system/magi/provider/anthropic"
)

const key = "sk-ant-fake-key"

// start serves fake and returns the real provider pointed at it with k.
func start(t *testing.T, cfg fakeanthropic.Config, k string) *anthropic.Provider {
	t.Helper()
	srv := httptest.NewServer(fakeanthropic.New(cfg))
	t.Cleanup(srv.Close)
	return anthropic.New(anthropic.Config{APIKey: k, BaseURL: srv.URL})
}

// drain returns a stream's text, usage and error.
func drain(seq func(func(magi.Delta, error) bool)) (string, *magi.Usage, error) {
	var b strings.Builder
	var u *magi.Usage
	for d, err := range seq {
		if err != nil {
			return b.String(), u, err
		}
		b.WriteString(d.Text)
		if d.Usage != nil {
			u = d.Usage
		}
	}
	return b.String(), u, nil
}

func kind(err error) magi.ErrorKind {
	var pe *magi.ProviderError
	if errors.As(err, &pe) {
		return pe.Kind
	}
	return ""
}

func TestFakeAnthropic_DefaultAnswerIsAVerdict(t *testing.T) {
	p := start(t, fakeanthropic.Config{Words: 5, Decision: "REJECTED"}, key)
	text, usage, err := drain(p.Stream(context.Background(), magi.Request{Model: "claude-x", System: "You are CASPER-3.", Prompt: "Should we?"}))
	if err != nil {
		t.Fatal(err)
	}
	v := magi.ParseVerdict(text)
	if v.Decision != magi.Rejected || !strings.Contains(v.Summary, "casper") {
		t.Errorf("verdict %+v of %q, want REJECTED from casper", v, text)
	}
	if usage == nil || usage.InputTokens != 5 || usage.OutputTokens == 0 {
		t.Errorf("usage %+v, want the prompt's 5 words in and the tokens out", usage)
	}
}

func TestFakeAnthropic_KeyAndModels(t *testing.T) {
	cfg := fakeanthropic.Config{APIKey: key, Models: []string{"claude-x"}}
	if err := start(t, cfg, key).Check(context.Background(), "claude-x"); err != nil {
		t.Errorf("Check of a known model: %v", err)
	}
	if k := kind(start(t, cfg, key).Check(context.Background(), "claude-y")); k != magi.KindNotFound {
		t.Errorf("unknown model: kind %q, want not_found", k)
	}
	_, _, err := drain(start(t, cfg, "sk-ant-other").Stream(context.Background(), magi.Request{Model: "claude-x", Prompt: "q"}))
	if k := kind(err); k != magi.KindAuth {
		t.Errorf("wrong key: kind %q, want auth", k)
	}
}

func TestFakeAnthropic_StreamErrorAfterTokens(t *testing.T) {
	p := start(t, fakeanthropic.Config{Script: func(r fakeanthropic.Request) fakeanthropic.Reply {
		return fakeanthropic.Reply{Tokens: []string{"a", "b", "c"}, StreamError: "overloaded_error", ErrorAfter: 2}
	}}, key)
	text, _, err := drain(p.Stream(context.Background(), magi.Request{Model: "m", Prompt: "q"}))
	if text != "ab" || kind(err) != magi.KindUnavailable {
		t.Errorf("text %q error %v, want ab then unavailable", text, err)
	}
}
