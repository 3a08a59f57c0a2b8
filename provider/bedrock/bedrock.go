// Package bedrock streams answers from Amazon Bedrock through the AWS SDK's
// ConverseStream API, which speaks to every Bedrock model family alike.
package bedrock

import (
	"context"
	"iter"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/magi-system/magi"
)

// DefaultMaxTokens is the answer budget sent when a request sets none.
const DefaultMaxTokens = 2048

// Config is what the provider needs beyond the standard AWS chain
// (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_BEDROCK_RUNTIME, shared files,
// SSO, instance roles), which fills whatever is left empty.
type Config struct {
	Region  string
	Profile string
	// HTTPClient, when set, carries the calls to Bedrock (credential
	// providers keep the SDK's client, with AWS_CA_BUNDLE).
	HTTPClient *http.Client
	// Instrument, when set, wraps the transport of the calls to Bedrock
	// (the SDK's HTTP client, or HTTPClient): tracing sends each call's
	// trace context with it (telemetry.Transport).
	Instrument func(http.RoundTripper) http.RoundTripper
	// EndpointURL overrides the Bedrock runtime endpoint (tests, VPC endpoints).
	EndpointURL string
	// Credentials, when set, replaces the default credential chain.
	Credentials aws.CredentialsProvider
}

// Provider streams Bedrock models. It is safe for concurrent use.
type Provider struct {
	client *bedrockruntime.Client
	creds  aws.CredentialsProvider
	region string
}

var _ magi.Provider = (*Provider)(nil)

// New loads the AWS configuration and returns a Provider. The SDK makes one
// attempt per call: MAGI retries itself, before the first token only.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	var opts []func(*config.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(cfg.Profile))
	}
	if cfg.Credentials != nil {
		opts = append(opts, config.WithCredentialsProvider(cfg.Credentials))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, &magi.Error{Code: magi.ECONFIG, Message: "bedrock: cannot load the AWS configuration", Err: err}
	}
	if awsCfg.Region == "" {
		return nil, magi.Errorf(magi.ECONFIG, "bedrock: no AWS region; set AWS_REGION or the provider's region")
	}
	client := bedrockruntime.NewFromConfig(awsCfg, func(o *bedrockruntime.Options) {
		o.RetryMaxAttempts = 1
		if cfg.HTTPClient != nil {
			o.HTTPClient = cfg.HTTPClient
		}
		if cfg.Instrument != nil {
			o.HTTPClient = doer{cfg.Instrument(roundTripper{o.HTTPClient})}
		}
		o.HTTPClient = bufferedBody{next: o.HTTPClient}
		if cfg.EndpointURL != "" {
			o.BaseEndpoint = aws.String(cfg.EndpointURL)
		}
	})
	return &Provider{client: client, creds: awsCfg.Credentials, region: awsCfg.Region}, nil
}

// Stream yields the model's text as it arrives, then a final Delta with the
// usage from the stream's metadata event. A failure, before or after some
// text, is one *magi.ProviderError, last.
func (p *Provider) Stream(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
	return func(yield func(magi.Delta, error) bool) {
		out, err := p.client.ConverseStream(ctx, input(req))
		if err != nil {
			yield(magi.Delta{}, p.classify(ctx, req.Model, err))
			return
		}
		stream := out.GetStream()
		defer stream.Close()
		usage, err := p.read(ctx, stream, yield)
		if err == errStopped {
			return
		}
		if err != nil {
			yield(magi.Delta{}, p.classify(ctx, req.Model, err))
			return
		}
		yield(magi.Delta{Usage: &usage}, nil)
	}
}

// read yields the text deltas of stream and returns the usage it reported,
// errStopped when yield asked to stop, or the error that ended it.
func (p *Provider) read(ctx context.Context, stream *bedrockruntime.ConverseStreamEventStream, yield func(magi.Delta, error) bool) (magi.Usage, error) {
	var usage magi.Usage
	stopped := false
	events := stream.Events()
	for {
		var ev types.ConverseStreamOutput
		var ok bool
		select {
		case <-ctx.Done():
			return usage, ctx.Err()
		case ev, ok = <-events:
		}
		if !ok {
			break
		}
		switch v := ev.(type) {
		case *types.ConverseStreamOutputMemberContentBlockDelta:
			if t, isText := v.Value.Delta.(*types.ContentBlockDeltaMemberText); isText && t.Value != "" {
				if !yield(magi.Delta{Text: t.Value}, nil) {
					return usage, errStopped
				}
			}
		case *types.ConverseStreamOutputMemberMetadata:
			if u := v.Value.Usage; u != nil {
				usage.InputTokens = int64(aws.ToInt32(u.InputTokens))
				usage.OutputTokens = int64(aws.ToInt32(u.OutputTokens))
			}
		case *types.ConverseStreamOutputMemberMessageStop:
			stopped = true
		}
	}
	if err := stream.Err(); err != nil {
		return usage, err
	}
	if !stopped {
		return usage, errTruncated
	}
	return usage, nil
}

// input translates a MAGI request into a ConverseStream call.
func input(req magi.Request) *bedrockruntime.ConverseStreamInput {
	in := &bedrockruntime.ConverseStreamInput{
		ModelId: aws.String(req.Model),
		Messages: []types.Message{{
			Role:    types.ConversationRoleUser,
			Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: req.Prompt}},
		}},
		InferenceConfig: inference(req),
	}
	if req.System != "" {
		in.System = []types.SystemContentBlock{&types.SystemContentBlockMemberText{Value: req.System}}
	}
	return in
}

// inference is the request's token budget (DefaultMaxTokens when unset:
// some model families default to a few hundred tokens, too few for a sage)
// and its temperature, when set.
func inference(req magi.Request) *types.InferenceConfiguration {
	maxTokens := req.MaxTokens
	if maxTokens <= 0 {
		maxTokens = DefaultMaxTokens
	}
	c := &types.InferenceConfiguration{MaxTokens: aws.Int32(int32(min(maxTokens, 1<<31-1)))}
	if req.Temperature != nil {
		c.Temperature = aws.Float32(float32(*req.Temperature))
	}
	return c
}
