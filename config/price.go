package config

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/magi-system/magi"
)

// Price is what a model costs, in USD per million tokens.
type Price struct {
	InputPerMTok  float64
	OutputPerMTok float64
}

// defaultPrices are published on-demand list prices, USD per million
// tokens. Keys are lower case. Override or extend them in the file's
// `prices`.
var defaultPrices = map[string]Price{
	// OpenAI
	"gpt-4o":       {2.50, 10.00},
	"gpt-4o-mini":  {0.15, 0.60},
	"gpt-4.1":      {2.00, 8.00},
	"gpt-4.1-mini": {0.40, 1.60},
	"gpt-4.1-nano": {0.10, 0.40},
	// Anthropic
	"claude-sonnet-4-5": {3, 15},
	"claude-sonnet-4":   {3, 15},
	"claude-3-7-sonnet": {3, 15},
	"claude-3-5-sonnet": {3, 15},
	"claude-3-5-haiku":  {0.80, 4},
	"claude-haiku-4-5":  {1, 5},
	"claude-opus-4-1":   {15, 75},
	"claude-opus-4":     {15, 75},
	// Bedrock (inference profiles like "us." are stripped before lookup)
	"anthropic.claude-3-5-sonnet-20240620-v1:0": {3, 15},
	"anthropic.claude-3-5-sonnet":               {3, 15},
	"anthropic.claude-sonnet-4-5":               {3, 15},
	"anthropic.claude-3-5-haiku":                {0.80, 4},
	"anthropic.claude-haiku-4-5":                {1, 5},
	"anthropic.claude-opus-4-1":                 {15, 75},
	"amazon.nova-pro-v1:0":                      {0.80, 3.20},
	"amazon.nova-lite-v1:0":                     {0.06, 0.24},
	"amazon.nova-micro-v1:0":                    {0.035, 0.14},
	"meta.llama3-1-70b-instruct-v1:0":           {0.72, 0.72},
	"mistral.mistral-large-2407-v1:0":           {2, 6},
	// The simulated council is free.
	"sim-1": {0, 0},
}

// DefaultPrices returns a copy of the built-in price list.
func DefaultPrices() map[string]Price {
	return maps.Clone(defaultPrices)
}

// regionPrefixes are the geographies of Bedrock inference profile ids,
// like "us.anthropic.claude-sonnet-4-5-20250929-v1:0".
var regionPrefixes = []string{"us.", "us-gov.", "eu.", "apac.", "jp.", "au.", "ca.", "global."}

// LookupPrice returns the price of model: the exact id, else the id
// without a Bedrock region prefix, else the longest known id that
// prefixes it and is followed by a version or date ("claude-sonnet-4-5"
// prices "claude-sonnet-4-5-20250929"; "gpt-4.1" does not price
// "gpt-4.1-nano"). Case is ignored.
func (c *Config) LookupPrice(model string) (Price, bool) {
	id := strings.ToLower(strings.TrimSpace(model))
	if p, ok := c.Prices[id]; ok {
		return p, true
	}
	for _, r := range regionPrefixes {
		if rest, ok := strings.CutPrefix(id, r); ok {
			if p, ok := c.Prices[rest]; ok {
				return p, true
			}
			id = rest
			break
		}
	}
	best := ""
	for k := range c.Prices {
		if len(k) > len(best) && strings.HasPrefix(id, k) && versionSuffix(id[len(k):]) {
			best = k
		}
	}
	if best == "" {
		return Price{}, false
	}
	return c.Prices[best], true
}

// versionSuffix reports whether rest, what follows a known model id,
// only names a version of it: "-20250929", "-v2:0", "-latest", ":8b", "@2024".
// "-5" is not one: "claude-sonnet-4-5" is another model than "claude-sonnet-4".
func versionSuffix(rest string) bool {
	switch {
	case rest == "":
		return true
	case rest[0] == ':' || rest[0] == '@':
		return true
	case rest == "-latest":
		return true
	case len(rest) >= 5 && rest[0] == '-' && digits(rest[1:5]):
		return true // a date: -20250929, -2024-08-06
	case len(rest) > 2 && strings.HasPrefix(rest, "-v") && rest[2] >= '0' && rest[2] <= '9':
		return true
	}
	return false
}

func digits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

// Cost returns the price of usage u on model, in USD, or nil when the
// model's price is unknown: an unknown cost is never reported as 0.
func (c *Config) Cost(model string, u magi.Usage) *float64 {
	p, ok := c.LookupPrice(model)
	if !ok {
		return nil
	}
	usd := (float64(u.InputTokens)*p.InputPerMTok + float64(u.OutputTokens)*p.OutputPerMTok) / 1e6
	return &usd
}

// sortedKeys returns the keys of m in order.
func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	return slices.Sorted(maps.Keys(m))
}
