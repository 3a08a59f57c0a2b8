//go:build live

package anthropic_test

// Live tests against Anthropic's API, compiled only with -tags live:
//
//	ANTHROPIC_API_KEY=sk-ant-... go test -tags live ./provider/anthropic/
//
// MAGI_LIVE_ANTHROPIC_MODEL picks the model (claude-haiku-4-5 by default);
// ANTHROPIC_BASE_URL a proxy. A short answer costs a fraction of a cent.

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/provider/anthropic"
)

// liveProvider is the provider for the developer's key, or a skip.
func liveProvider(t *testing.T) (*anthropic.Provider, string) {
	t.Helper()
	key := os.Getenv("ANTHROPIC_API_KEY")
	if key == "" {
		t.Skip("ANTHROPIC_API_KEY is not set")
	}
	model := os.Getenv("MAGI_LIVE_ANTHROPIC_MODEL")
	if model == "" {
		model = "claude-haiku-4-5"
	}
	return anthropic.New(anthropic.Config{APIKey: key, BaseURL: os.Getenv("ANTHROPIC_BASE_URL")}), model
}

func TestAnthropicLive_ShortStream(t *testing.T) {
	p, model := liveProvider(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := p.Check(ctx, model); err != nil {
		t.Fatalf("Check: %v", err)
	}
	texts, usage, err := collect(p.Stream(ctx, magi.Request{Model: model, MaxTokens: 16,
		System: "You answer in one word.", Prompt: "Reply with the word pong."}))
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	if strings.TrimSpace(strings.Join(texts, "")) == "" {
		t.Error("no text streamed")
	}
	if usage == nil || usage.InputTokens == 0 || usage.OutputTokens == 0 {
		t.Errorf("usage %+v, want input and output tokens", usage)
	}
	t.Logf("%s answered %q with %+v", model, strings.Join(texts, ""), usage)
}

func TestAnthropicLive_Failures(t *testing.T) {
	p, model := liveProvider(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	bad := anthropic.New(anthropic.Config{APIKey: "sk-ant-api03-not-a-real-key", BaseURL: os.Getenv("ANTHROPIC_BASE_URL")})
	if pe := providerError(t, bad.Check(ctx, model)); pe.Kind != magi.KindAuth {
		t.Errorf("a bad key: kind %q, want auth (%v)", pe.Kind, pe)
	}
	if pe := providerError(t, p.Check(ctx, "claude-no-such-model")); pe.Kind != magi.KindNotFound {
		t.Errorf("an unknown model: kind %q, want not_found (%v)", pe.Kind, pe)
	}
}
