package config

import (
	"math"
	"testing"

	"github.com/magi-system/magi"
)

func TestConfig_LookupPrice(t *testing.T) {
	c := &Config{Prices: DefaultPrices()}
	c.Prices["llama3.2"] = Price{0, 0}
	tests := []struct {
		model string
		want  *Price // nil: unknown
	}{
		{"gpt-4o-mini", &Price{0.15, 0.60}},
		{"GPT-4o-Mini", &Price{0.15, 0.60}},
		{"gpt-4o-2024-08-06", &Price{2.50, 10}},
		{"gpt-4o-mini-2024-07-18", &Price{0.15, 0.60}},
		{"gpt-4.1-nano", &Price{0.10, 0.40}},
		{"claude-sonnet-4-5-20250929", &Price{3, 15}},
		{"claude-3-5-haiku-latest", &Price{0.80, 4}},
		{"anthropic.claude-3-5-sonnet-20240620-v1:0", &Price{3, 15}},
		{"anthropic.claude-3-5-sonnet-20241022-v2:0", &Price{3, 15}},
		{"us.anthropic.claude-sonnet-4-5-20250929-v1:0", &Price{3, 15}},
		{"global.anthropic.claude-haiku-4-5-20251001-v1:0", &Price{1, 5}},
		{"eu.amazon.nova-lite-v1:0", &Price{0.06, 0.24}},
		{"apac.amazon.nova-micro-v1:0", &Price{0.035, 0.14}},
		{"meta.llama3-1-70b-instruct-v1:0", &Price{0.72, 0.72}},
		{"mistral.mistral-large-2407-v1:0", &Price{2, 6}},
		{"llama3.2:latest", &Price{0, 0}},
		{"sim-1", &Price{0, 0}},
		{"llama3.1", nil},
		{"gpt-4o-realtime-preview", nil},
		{"claude-sonnet-4-6", nil},
		{"gpt-5", nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			p, ok := c.LookupPrice(tt.model)
			switch {
			case tt.want == nil && ok:
				t.Errorf("LookupPrice(%q) = %+v, want unknown", tt.model, p)
			case tt.want != nil && !ok:
				t.Errorf("LookupPrice(%q) unknown, want %+v", tt.model, *tt.want)
			case tt.want != nil && p != *tt.want:
				t.Errorf("LookupPrice(%q) = %+v, want %+v", tt.model, p, *tt.want)
			}
		})
	}
}

func TestConfig_Cost(t *testing.T) {
	c := &Config{Prices: DefaultPrices()}
	got := c.Cost("gpt-4o-mini", magi.Usage{InputTokens: 2_000_000, OutputTokens: 500_000})
	if got == nil || math.Abs(*got-0.60) > 1e-9 {
		t.Errorf("Cost = %v, want 0.60", got)
	}
	if got := c.Cost("sim-1", magi.Usage{InputTokens: 10, OutputTokens: 10}); got == nil || *got != 0 {
		t.Errorf("sim-1 cost = %v, want a known 0", got)
	}
	if got := c.Cost("llama3.2", magi.Usage{InputTokens: 10, OutputTokens: 10}); got != nil {
		t.Errorf("unknown model cost = %v, want nil", *got)
	}
}

func TestDefaultPrices_Copy(t *testing.T) {
	p := DefaultPrices()
	p["gpt-4o"] = Price{99, 99}
	if DefaultPrices()["gpt-4o"] == (Price{99, 99}) {
		t.Error("DefaultPrices returned the shared map")
	}
}

func TestLoad_FilePricesExtendDefaults(t *testing.T) {
	path := writeAgents(t, "prices:\n  My-Model: {input: 1.5, output: 3}\n")
	c, err := Load(Flags{ConfigPath: path}, env())
	if err != nil {
		t.Fatal(err)
	}
	got := c.Cost("my-model-20250101", magi.Usage{InputTokens: 1_000_000, OutputTokens: 1_000_000})
	if got == nil || *got != 4.5 {
		t.Errorf("cost = %v, want 4.5", got)
	}
	if _, ok := c.LookupPrice("gpt-4o"); !ok {
		t.Error("file prices replaced the defaults instead of extending them")
	}
}
