package bedrock

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/magi-system/magi"
)

// Check reports whether model answers with the configured credentials and
// region, for `magi doctor`. It first resolves the credentials (no call to
// Bedrock), then asks the model for one token with Converse: the runtime API
// has no cheaper way to test a model, so a check may cost a few tokens.
func (p *Provider) Check(ctx context.Context, model string) error {
	if p.creds == nil {
		return p.providerError(magi.KindAuth, model, 0, "no AWS credentials found", nil)
	}
	if _, err := p.creds.Retrieve(ctx); err != nil {
		if ctx.Err() != nil {
			return p.classify(ctx, model, err)
		}
		return p.providerError(magi.KindAuth, model, 0, "cannot load AWS credentials", err)
	}
	_, err := p.client.Converse(ctx, &bedrockruntime.ConverseInput{
		ModelId: aws.String(model),
		Messages: []types.Message{{
			Role:    types.ConversationRoleUser,
			Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "ping"}},
		}},
		InferenceConfig: &types.InferenceConfiguration{MaxTokens: aws.Int32(1)},
	})
	if err != nil {
		return p.classify(ctx, model, err)
	}
	return nil
}
