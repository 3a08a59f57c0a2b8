//go:build live

package bedrock_test

// Live tests against Amazon Bedrock, compiled only with -tags live:
//
//	AWS_REGION=us-east-1 AWS_PROFILE=work MAGI_LIVE_BEDROCK_MODEL=amazon.nova-micro-v1:0 \
//	    go test -tags live ./provider/bedrock/
//
// Credentials come from the standard AWS chain. The model must be enabled
// for the account in that region. A short answer costs a fraction of a cent.

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/provider/bedrock"
)

// liveProvider is the provider for the developer's AWS credentials, or a
// skip naming what is missing.
func liveProvider(t *testing.T, ctx context.Context) (*bedrock.Provider, string) {
	t.Helper()
	model := os.Getenv("MAGI_LIVE_BEDROCK_MODEL")
	if os.Getenv("AWS_REGION") == "" || model == "" {
		t.Skip("set AWS_REGION, MAGI_LIVE_BEDROCK_MODEL and AWS credentials to test Bedrock live")
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Skipf("no AWS configuration: %v", err)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		t.Skipf("no AWS credentials: %v", err)
	}
	p, err := bedrock.New(ctx, bedrock.Config{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p, model
}

func TestBedrockLive_ShortStream(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p, model := liveProvider(t, ctx)
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

func TestBedrockLive_UnknownModel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p, _ := liveProvider(t, ctx)
	_, _, err := collect(p.Stream(ctx, magi.Request{Model: "amazon.no-such-model-v1:0", Prompt: "q", MaxTokens: 1}))
	if pe := providerError(t, err); pe.Kind != magi.KindNotFound {
		t.Errorf("an unknown model: kind %q, want not_found (%v)", pe.Kind, pe)
	}
}
