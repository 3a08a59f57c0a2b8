//go:build live

package openai_test

// Live tests against a real OpenAI-compatible endpoint, compiled only with
// -tags live:
//
//	OPENAI_API_KEY=sk-... go test -tags live ./provider/openai/
//	OPENAI_BASE_URL=http://127.0.0.1:11434/v1 MAGI_LIVE_OPENAI_MODEL=llama3.2 go test -tags live ./provider/openai/
//
// MAGI_LIVE_OPENAI_MODEL picks the model; with OpenAI's own API it
// defaults to gpt-4o-mini, elsewhere it must be set.

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/provider/openai"
)

func TestOpenAILive_ShortStream(t *testing.T) {
	base, key, model := os.Getenv("OPENAI_BASE_URL"), os.Getenv("OPENAI_API_KEY"), os.Getenv("MAGI_LIVE_OPENAI_MODEL")
	switch {
	case base == "" && key == "":
		t.Skip("set OPENAI_API_KEY, or OPENAI_BASE_URL and MAGI_LIVE_OPENAI_MODEL, to test an OpenAI-compatible server live")
	case model == "" && base != "" && strings.TrimRight(base, "/") != openai.DefaultBaseURL:
		t.Skip("MAGI_LIVE_OPENAI_MODEL is not set: name a model the server at OPENAI_BASE_URL serves")
	case model == "":
		model = "gpt-4o-mini"
	}
	p := openai.New(openai.Config{BaseURL: base, APIKey: key})
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	if err := p.Check(ctx, model); err != nil {
		t.Fatalf("Check: %v", err)
	}
	var text strings.Builder
	var usage *magi.Usage
	for d, err := range p.Stream(ctx, magi.Request{Model: model, MaxTokens: 16,
		System: "You answer in one word.", Prompt: "Reply with the word pong."}) {
		if err != nil {
			t.Fatalf("Stream: %v", err)
		}
		text.WriteString(d.Text)
		if d.Usage != nil {
			usage = d.Usage
		}
	}
	if strings.TrimSpace(text.String()) == "" {
		t.Error("no text streamed")
	}
	if base == "" && (usage == nil || usage.OutputTokens == 0) {
		t.Errorf("usage %+v: OpenAI reports usage when asked (stream_options.include_usage)", usage)
	}
	t.Logf("%s answered %q with %+v", model, text.String(), usage)
}
