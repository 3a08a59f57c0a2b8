package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

func TestLoad_Examples(t *testing.T) {
	tests := []struct {
		file   string
		models []string
		free   string // a model the file prices at 0
	}{
		{"../examples/agents.yaml", []string{
			"bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
			"bedrock/us.amazon.nova-pro-v1:0",
			"openai/llama3.2",
			"anthropic/claude-sonnet-4-5",
		}, "llama3.2"},
		{"../examples/ollama.yaml", four("openai/llama3.2"), "llama3.2:latest"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c, err := Load(Flags{ConfigPath: tt.file}, env())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.models, models(c)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if c.Simulated() || c.ProviderNote != "" {
				t.Errorf("example council is simulated: %q", c.ProviderNote)
			}
			if cost := c.Cost(tt.free, magi.Usage{InputTokens: 1000, OutputTokens: 1000}); cost == nil || *cost != 0 {
				t.Errorf("cost of %s = %v, want a known 0", tt.free, cost)
			}
			for _, a := range c.Agents {
				if a.Temperature == nil || a.MaxTokens == 0 || a.Timeout == 0 {
					t.Errorf("%s: parameters not set: %+v", a.ID, a)
				}
				if _, ok := c.LookupPrice(a.Model); !ok {
					t.Errorf("%s: no price for %s", a.ID, a.Model)
				}
			}
		})
	}
}
