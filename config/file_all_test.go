package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoad_FileErrorsAllAtOnce(t *testing.T) {
	const providers = "use one of anthropic, bedrock, openai, sim"
	tests := []struct {
		name string
		yaml string
		want []string // PATH stands for the file's path
	}{
		{"unknown keys, bad durations and bad values together, in file order",
			`defaults:
  temprature: 0.2
  timeout: 60
agents:
  solomon:
    temperature: 9
  casper:
    provider: opena
    model: x
    timeout: 30
  caspar: {model: y}
prices:
  llama3.2: {input: 0}
  x: {in: 1, output: 2}
`,
			[]string{
				`PATH:2: defaults: unknown key "temprature": use one of provider, model, persona, temperature, max_tokens, timeout, fallbacks`,
				`PATH:3: defaults: timeout "60" is not a duration: write it with a unit, like 90s or 2m`,
				`PATH:6: agent "solomon": temperature 9 is out of range: use 0 to 2`,
				`PATH:8: agent "casper": unknown provider "opena": ` + providers,
				`PATH:10: agent "casper": timeout "30" is not a duration: write it with a unit, like 90s or 2m`,
				`PATH:11: agent "caspar": unknown agent: use one of melchior, balthasar, casper, solomon`,
				`PATH:13: prices "llama3.2": output must be set and not negative, in USD per million tokens, like {input: 0.15, output: 0.6}`,
				`PATH:14: prices "x": unknown key "in": use one of input, output`,
			}},
		{"an unknown key and an unknown top-level key",
			"agent: {}\nagents:\n  melchior:\n    max_token: 5\n    provider: opena\n    model: m\n",
			[]string{
				`PATH:1: unknown key "agent": use one of rule, rounds, context_bytes, defaults, agents, prices, oidc, allowed_models`,
				`PATH:4: agent "melchior": unknown key "max_token": use one of provider, model, persona, temperature, max_tokens, timeout, fallbacks`,
				`PATH:5: agent "melchior": unknown provider "opena": ` + providers,
			}},
		{"a provider without its model is listed with the rest",
			"defaults:\n  provider: openai\nagents:\n  solomon:\n    provider: anthropic\n  casper:\n    provider: opena\n    temperature: 3\n",
			[]string{
				`PATH:2: defaults: provider "openai" needs a model: add model: <id> next to it`,
				`PATH:5: agent "solomon": provider "anthropic" needs a model: add model: <id> next to it`,
				`PATH:7: agent "casper": unknown provider "opena": ` + providers,
				`PATH:8: agent "casper": temperature 3 is out of range: use 0 to 2`,
			}},
		{"a misread value is reported once",
			"agents:\n  casper:\n    max_tokens: many\n    fallbacks:\n      - provder: sim\n",
			[]string{
				"PATH:3: agent \"casper\": cannot unmarshal !!str `many` into int",
				`PATH:5: agent "casper": unknown key "provder": use one of provider, model`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeAgents(t, tt.yaml)
			_, err := Load(Flags{ConfigPath: path}, env())
			got := strings.Split(wantConfigError(t, err), "\n")
			want := make([]string, len(tt.want))
			for i, w := range tt.want {
				want[i] = strings.ReplaceAll(w, "PATH", path)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("messages (-want +got):\n%s", diff)
			}
		})
	}
}
