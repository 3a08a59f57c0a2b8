// Package openai is the MAGI provider for any OpenAI-compatible
// chat-completions endpoint — OpenAI, Ollama, vLLM, llama.cpp server,
// LM Studio, OpenRouter — built on the official SDK.
package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strings"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/provider"
)

// Name is the provider's name in configuration, events and records.
const Name = "openai"

// DefaultBaseURL is OpenAI's own API.
const DefaultBaseURL = "https://api.openai.com/v1"

// placeholderKey lets keyless local servers (Ollama, llama.cpp) be called:
// the SDK always sends a bearer token.
const placeholderKey = "magi-no-key"

// Config says where the endpoint is and how to reach it.
type Config struct {
	// BaseURL is the API root, e.g. http://127.0.0.1:11434/v1; OpenAI's
	// when empty.
	BaseURL string
	// APIKey is sent as a bearer token; a placeholder when empty.
	APIKey string
	// HTTPClient, when set, makes the calls (proxies, tests).
	HTTPClient *http.Client
}

// Provider streams chat completions from one endpoint.
type Provider struct {
	client   oai.Client
	endpoint string
	apiKey   string
}

var _ magi.Provider = (*Provider)(nil)

// New returns a provider for cfg. MAGI retries by itself, so the SDK's own
// retries are off.
func New(cfg Config) *Provider {
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	key := cfg.APIKey
	if key == "" {
		key = placeholderKey
	}
	client := cfg.HTTPClient
	if client == nil {
		client = provider.HTTPClient()
	}
	opts := []option.RequestOption{option.WithBaseURL(base + "/"), option.WithAPIKey(key), option.WithMaxRetries(0),
		option.WithHTTPClient(client)}
	return &Provider{client: oai.NewClient(opts...), endpoint: magi.Redact(base), apiKey: cfg.APIKey}
}

// Stream yields the model's content deltas as they arrive, then one delta
// with the token usage when the server reports it. A failure is one
// *magi.ProviderError, last. Stopping the iteration or cancelling ctx
// closes the HTTP stream.
//
// The SDK makes the request and reads the server-sent events; each chunk
// is decoded into the few fields MAGI reads (chunk), not into the SDK's
// ChatCompletionChunk, whose decoder keeps metadata on every field and was
// the largest cost of a deliberation under load.
func (p *Provider) Stream(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
	return func(yield func(magi.Delta, error) bool) {
		var res *http.Response
		body, err := p.body(req)
		if err != nil {
			yield(magi.Delta{}, magi.Errorf(magi.EINVALID, "the request to %s could not be encoded: %v", req.Model, err))
			return
		}
		err = p.client.Post(ctx, "chat/completions", body, &res)
		stream := ssestream.NewStream[chunk](ssestream.NewDecoder(res), err)
		defer stream.Close()
		if err := stream.Err(); err != nil {
			yield(magi.Delta{}, p.classify(ctx, req.Model, res, err))
			return
		}
		var usage *magi.Usage
		finished := false
		for stream.Next() {
			c := stream.Current()
			if u := c.Usage; u != nil {
				usage = &magi.Usage{InputTokens: u.PromptTokens, OutputTokens: u.CompletionTokens}
			}
			for _, ch := range c.Choices {
				if ch.Delta.Content != "" && !yield(magi.Delta{Text: ch.Delta.Content}, nil) {
					return
				}
				finished = finished || ch.FinishReason != ""
			}
		}
		if err := p.streamErr(ctx, req.Model, stream.Err(), finished); err != nil {
			yield(magi.Delta{}, err)
			return
		}
		if usage != nil {
			yield(magi.Delta{Usage: usage}, nil)
		}
	}
}

// chunk is what MAGI reads of a chat.completion.chunk.
type chunk struct {
	Choices []struct {
		Delta struct {
			Content string `json:"content"`
		} `json:"delta"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int64 `json:"prompt_tokens"`
		CompletionTokens int64 `json:"completion_tokens"`
	} `json:"usage"`
}

// chatRequest is the body of a streamed chat request. MAGI encodes it
// itself, with encoding/json: the SDK's ChatCompletionNewParams go through
// its reflective encoder and then a second pass to set "stream", which
// made a tenth of what a busy server allocated, for a body of a few fields.
// The SDK still makes the request (authentication, headers, base URL) and
// reads the answer.
type chatRequest struct {
	Model         string        `json:"model"`
	Messages      []chatMessage `json:"messages"`
	Stream        bool          `json:"stream"`
	StreamOptions struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	Temperature *float64 `json:"temperature,omitempty"`
	// OpenAI's newer models accept only max_completion_tokens; most
	// compatible servers know only max_tokens.
	MaxTokens           int `json:"max_tokens,omitempty"`
	MaxCompletionTokens int `json:"max_completion_tokens,omitempty"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// body encodes the chat request of req.
func (p *Provider) body(req magi.Request) ([]byte, error) {
	b := chatRequest{Model: req.Model, Stream: true, Temperature: req.Temperature}
	b.StreamOptions.IncludeUsage = true
	if req.System != "" {
		b.Messages = append(b.Messages, chatMessage{Role: "system", Content: req.System})
	}
	b.Messages = append(b.Messages, chatMessage{Role: "user", Content: req.Prompt})
	if req.MaxTokens > 0 {
		if p.endpoint == DefaultBaseURL {
			b.MaxCompletionTokens = req.MaxTokens
		} else {
			b.MaxTokens = req.MaxTokens
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// streamErr classifies how a stream that had started ended: an error, or
// nothing at all when it ended without the model finishing.
func (p *Provider) streamErr(ctx context.Context, model string, err error, finished bool) error {
	var se *ssestream.StreamError
	switch {
	case err == nil && finished:
		return nil
	case err == nil:
		return provider.Classify(Name, model, p.endpoint, 0, nil, "the stream ended before the model finished", errors.New("no finish_reason"))
	case errors.As(err, &se):
		pe := provider.Classify(Name, model, p.endpoint, statusOfStreamError(se.Event.Data), nil, provider.Redact(se.Message, p.apiKey), err)
		if pe.Kind == magi.KindConnection {
			pe.Kind = magi.KindStream
		}
		return pe
	}
	pe := p.classify(ctx, model, nil, err)
	if pe.Kind == magi.KindConnection { // the server was reached: the stream broke
		pe.Kind = magi.KindStream
	}
	return pe
}

// classify turns an SDK error into a *magi.ProviderError.
func (p *Provider) classify(ctx context.Context, model string, res *http.Response, err error) *magi.ProviderError {
	if ctx.Err() != nil {
		err = errors.Join(ctx.Err(), err)
	}
	status, header, detail := 0, http.Header(nil), ""
	var apiErr *oai.Error
	if errors.As(err, &apiErr) {
		status, detail = apiErr.StatusCode, apiErr.Message
		if apiErr.Response != nil {
			header = apiErr.Response.Header
		}
	} else if res != nil && res.StatusCode >= 400 {
		// The body was not OpenAI's JSON error (a plain-text 404, a proxy).
		status, header, detail = res.StatusCode, res.Header, http.StatusText(res.StatusCode)
	}
	return provider.Classify(Name, model, p.endpoint, status, header, provider.Redact(detail, p.apiKey), err)
}

// statusOfStreamError maps the type or code of an error event sent in the
// middle of a stream to the HTTP status the same failure has before one, so
// that it is classified as every provider classifies it; 0 when unknown.
func statusOfStreamError(data []byte) int {
	var body struct {
		Error struct {
			Type string `json:"type"`
			Code any    `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(data, &body) != nil {
		return 0
	}
	kind := strings.ToLower(body.Error.Type + " " + fmt.Sprint(body.Error.Code))
	switch {
	case strings.Contains(kind, "rate_limit"), strings.Contains(kind, "429"):
		return http.StatusTooManyRequests
	case strings.Contains(kind, "overloaded"), strings.Contains(kind, "server_error"),
		strings.Contains(kind, "unavailable"), strings.Contains(kind, "503"), strings.Contains(kind, "500"):
		return http.StatusServiceUnavailable
	case strings.Contains(kind, "authentication"), strings.Contains(kind, "invalid_api_key"):
		return http.StatusUnauthorized
	case strings.Contains(kind, "not_found"):
		return http.StatusNotFound
	case strings.Contains(kind, "invalid_request"):
		return http.StatusBadRequest
	}
	return 0
}
