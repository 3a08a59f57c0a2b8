package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/magi-system/magi"
)

// What a saved council may choose: the providers this server has (those
// with credentials configured, those its own agents use, and sim), and,
// when the operator restricts them, only the models of an allow-list. A
// council never carries an address or a credential: it picks among these.

// loadOffer reads the allow-lists of models, from the environment
// (MAGI_ALLOWED_MODELS_OPENAI=a,b …; "none" allows none) and then the
// file's `allowed_models:`, whose list for a provider replaces the
// environment's, and works out the providers councils may use.
func (c *Config) loadOffer(f *agentsFile, getenv func(string) string, probs *problems) {
	c.AllowedModels = map[string][]string{}
	for _, p := range Providers {
		name := "MAGI_ALLOWED_MODELS_" + strings.ToUpper(p)
		if v := strings.TrimSpace(getenv(name)); v != "" {
			c.AllowedModels[p], c.Sources["allowed_models."+p] = []string{}, name
			if v != "none" {
				c.AllowedModels[p] = splitList(v)
			}
		}
	}
	if f != nil {
		for _, p := range sortedKeys(f.cfg.AllowedModels) {
			list := f.cfg.AllowedModels[p]
			switch {
			case f.misread("allowed_models", p):
			case checkProvider(p) != nil:
				probs.add(f.at("allowed_models: ", checkProvider(p).Error(), "allowed_models", p))
			case slices.ContainsFunc(list, func(m string) bool { return strings.TrimSpace(m) == "" }):
				probs.add(f.at("allowed_models: ", fmt.Sprintf("%s: a model id is empty: list model ids, like [llama3.2, qwen2.5], or [] to offer no model of %s", p, p), "allowed_models", p))
			default:
				c.AllowedModels[p], c.Sources["allowed_models."+p] = append([]string{}, list...), f.path+": allowed_models."+p
			}
		}
	}
	c.Offered = nil
	for _, p := range Providers {
		if (c.usesProvider(p) || c.hasCredentials(p)) && (c.AllowedModels[p] == nil || len(c.AllowedModels[p]) > 0) {
			c.Offered = append(c.Offered, p)
		}
	}
}

// usesProvider reports whether an agent of the server, or a fallback,
// uses provider p.
func (c *Config) usesProvider(p string) bool {
	for _, a := range c.Agents {
		for _, r := range a.Models() {
			if r.Provider == p {
				return true
			}
		}
	}
	return false
}

// hasCredentials reports whether the server is configured to call p:
// sim always is.
func (c *Config) hasCredentials(p string) bool {
	switch p {
	case ProviderOpenAI:
		return c.OpenAI.BaseURL != "" || c.OpenAI.APIKey != ""
	case ProviderAnthropic:
		return c.Anthropic.APIKey != ""
	case ProviderBedrock:
		return c.Bedrock.Region != ""
	}
	return p == ProviderSim
}

// offers reports whether councils may use provider p.
func (c *Config) offers(p string) bool { return slices.Contains(c.Offered, p) }

// allows reports whether councils may use model m of provider p: any
// model, unless p has an allow-list.
func (c *Config) allows(p, m string) bool {
	list, restricted := c.AllowedModels[p]
	return !restricted || slices.Contains(list, m)
}

// Offer lists the providers a council may choose, each with its models:
// the allow-list when there is one, else the models the server's agents
// use with it (suggestions).
func (c *Config) Offer() []magi.ProviderOffer {
	out := make([]magi.ProviderOffer, 0, len(c.Offered))
	for _, p := range c.Offered {
		o := magi.ProviderOffer{Name: p, DefaultModel: DefaultModel(p, c.Bedrock.Region)}
		list, restricted := c.AllowedModels[p]
		if restricted {
			o.Models, o.Restricted = slices.Clone(list), true
		} else {
			for _, a := range c.Agents {
				for _, r := range a.Models() {
					if r.Provider == p && !slices.Contains(o.Models, r.Model) {
						o.Models = append(o.Models, r.Model)
					}
				}
			}
			if !slices.Contains(o.Models, o.DefaultModel) {
				o.Models = append(o.Models, o.DefaultModel)
			}
		}
		if len(o.Models) > 0 && !slices.Contains(o.Models, o.DefaultModel) {
			o.DefaultModel = o.Models[0]
		}
		out = append(out, o)
	}
	return out
}

// checkOffer adds a problem when what a council set for agent a is not on
// offer: a provider the server does not have, a model outside the
// provider's allow-list, the same for each fallback. What the council
// left to the server is not checked.
func (c *Config) checkOffer(f *agentsFile, a magi.Agent, ch choice, probs *problems) {
	if ch.providerBy != nil || ch.modelBy != nil {
		c.checkRef(f, a.Provider, a.Model, ch.providerBy, ch.modelBy, "", probs)
	}
	if l := ch.fallbacksBy; l != nil {
		for i, r := range a.Fallbacks {
			c.checkRef(f, r.Provider, r.Model, l, l, fmt.Sprintf("fallbacks[%d].", i), probs)
		}
	}
}

// checkRef checks one provider and model, set by the layers providerBy
// and modelBy (nil: the server's); sub prefixes the fields in a
// fallback.
func (c *Config) checkRef(f *agentsFile, provider, model string, providerBy, modelBy *layer, sub string, probs *problems) {
	if checkProvider(provider) != nil || strings.TrimSpace(model) == "" || modelProblem(model) != "" {
		return // reported by check
	}
	at := func(l *layer, key, msg string) {
		path := append(slices.Clone(l.path), key)
		if sub != "" {
			path = append(slices.Clone(l.path), "fallbacks")
		}
		q := f.at(l.who+": ", msg, path...)
		q.field = strings.Join(l.path, ".") + "." + sub + key
		if sub != "" {
			q.who += strings.TrimSuffix(sub, ".") + ": "
		}
		probs.add(q)
	}
	switch {
	case !c.offers(provider):
		l := providerBy
		if l == nil {
			l = modelBy
		}
		at(l, "provider", fmt.Sprintf("provider %q is not available on this server: use one of %s", provider, c.offeredList()))
	case !c.allows(provider, model):
		l, key := modelBy, "model"
		if l == nil {
			l, key = providerBy, "provider"
		}
		at(l, key, fmt.Sprintf("model %q is not allowed for %s on this server: use one of %s", model, provider, strings.Join(c.AllowedModels[provider], ", ")))
	}
}

// offeredList names the providers on offer, for messages.
func (c *Config) offeredList() string {
	if len(c.Offered) == 0 {
		return "none (the server offers no provider to councils)"
	}
	return strings.Join(c.Offered, ", ")
}
