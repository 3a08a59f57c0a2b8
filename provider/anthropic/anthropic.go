// Package anthropic streams answers from Anthropic's Messages API through
// the official SDK (github.com/anthropics/anthropic-sdk-go).
package anthropic

import (
	"context"
	"iter"
	"net/http"
	"strings"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/provider"
)

// DefaultBaseURL is Anthropic's API, used when Config.BaseURL is empty.
const DefaultBaseURL = "https://api.anthropic.com"

// DefaultMaxTokens is the answer budget sent when a request sets none:
// the Messages API requires one.
const DefaultMaxTokens = 2048

// Config is what the provider needs, read once by the caller. Nothing is
// read from the environment here.
type Config struct {
	APIKey  string
	BaseURL string
	// HTTPClient, when set, carries every call (tests, proxies).
	HTTPClient *http.Client
}

// Provider streams Anthropic models. It is safe for concurrent use.
type Provider struct {
	client   anthropic.Client
	endpoint string
	// key is kept only to scrub it from errors an upstream may echo.
	key string
}

var _ magi.Provider = (*Provider)(nil)

// New returns a Provider for cfg. The SDK's own retries are off: MAGI
// retries itself, before the first token only.
func New(cfg Config) *Provider {
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	client := cfg.HTTPClient
	if client == nil {
		client = provider.HTTPClient()
	}
	opts := []option.RequestOption{
		option.WithoutEnvironmentDefaults(),
		option.WithAPIKey(cfg.APIKey),
		option.WithBaseURL(base),
		option.WithMaxRetries(0),
		option.WithHTTPClient(client),
	}
	return &Provider{
		client:   anthropic.NewClient(opts...),
		endpoint: magi.Redact(strings.TrimSuffix(base, "/")),
		key:      cfg.APIKey,
	}
}

// Stream yields the model's text as it arrives, then a final Delta with the
// usage (input tokens from message_start, output from message_delta). A
// failure, before or after some text, is one *magi.ProviderError, last.
func (p *Provider) Stream(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
	return func(yield func(magi.Delta, error) bool) {
		stream := p.client.Messages.NewStreaming(ctx, params(req))
		defer stream.Close()
		var usage magi.Usage
		for stream.Next() {
			ev := stream.Current()
			switch ev.Type {
			case "message_start":
				usage.InputTokens = ev.Message.Usage.InputTokens
			case "content_block_delta":
				if ev.Delta.Type == "text_delta" && ev.Delta.Text != "" {
					if !yield(magi.Delta{Text: ev.Delta.Text}, nil) {
						return
					}
				}
			case "message_delta":
				usage.OutputTokens = ev.Usage.OutputTokens
				if ev.Usage.InputTokens > 0 {
					usage.InputTokens = ev.Usage.InputTokens
				}
			case "message_stop":
				yield(magi.Delta{Usage: &usage}, nil)
				return
			}
		}
		err := stream.Err()
		if err == nil {
			err = errTruncated
		}
		yield(magi.Delta{}, p.classify(ctx, req.Model, err))
	}
}

// params translates a MAGI request into the Messages API's parameters.
func params(req magi.Request) anthropic.MessageNewParams {
	maxTokens := int64(req.MaxTokens)
	if maxTokens <= 0 {
		maxTokens = DefaultMaxTokens
	}
	p := anthropic.MessageNewParams{
		Model:     anthropic.Model(req.Model),
		MaxTokens: maxTokens,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(req.Prompt))},
	}
	if req.System != "" {
		p.System = []anthropic.TextBlockParam{{Text: req.System}}
	}
	if req.Temperature != nil {
		p.Temperature = anthropic.Float(*req.Temperature)
	}
	return p
}

// Check reports whether model can be reached with the configured key, for
// `magi doctor`. It reads the model's metadata and generates nothing.
func (p *Provider) Check(ctx context.Context, model string) error {
	if _, err := p.client.Models.Get(ctx, model, anthropic.ModelGetParams{}); err != nil {
		return p.classify(ctx, model, err)
	}
	return nil
}
