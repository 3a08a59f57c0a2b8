package openai

import (
	"context"
	"fmt"
	"net/http"

	"github.com/openai/openai-go/v3/option"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/provider"
)

// Check tells whether the endpoint is reachable, accepts the key and knows
// model (skipped when model is empty), by listing its models. A server
// that does not implement GET /models counts as reachable. Failures are
// *magi.ProviderError.
func (p *Provider) Check(ctx context.Context, model string) error {
	var res *http.Response
	page, err := p.client.Models.List(ctx, option.WithResponseInto(&res))
	if err != nil {
		pe := p.classify(ctx, model, res, err)
		if pe.Kind == magi.KindNotFound || pe.Status == http.StatusMethodNotAllowed {
			return nil // no /models here; the server answered, so it is reachable
		}
		return pe
	}
	if model == "" {
		return nil
	}
	for _, m := range page.Data {
		if m.ID == model || m.ID == model+":latest" { // Ollama lists tags
			return nil
		}
	}
	return &magi.ProviderError{Kind: magi.KindNotFound, Provider: Name, Model: model, Endpoint: p.endpoint, Status: http.StatusNotFound,
		Detail: provider.Redact(fmt.Sprintf("the server lists %d models, not this one", len(page.Data)))}
}
