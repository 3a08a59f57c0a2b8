package config

import (
	"strings"
	"testing"
)

func TestLoad_FileErrors(t *testing.T) {
	const providers = "use one of anthropic, bedrock, openai, sim"
	tests := []struct {
		name string
		yaml string
		want string // PATH stands for the file's path
	}{
		{"rounds out of range",
			"rounds: 7\n",
			`PATH:1: rounds 7: use a number of rounds from 1 to 5 (1: no debate)`},
		{"rounds zero",
			"rule: judge\nrounds: 0\n",
			`PATH:2: rounds 0: use a number of rounds from 1 to 5 (1: no debate)`},
		{"rounds not a number",
			"rounds: two\n",
			"PATH:1: cannot unmarshal !!str `two` into int"},
		{"unknown rule",
			"rule: vote\n",
			`PATH:1: rule "vote": use majority, unanimous or judge`},
		{"unknown provider",
			"agents:\n  casper: {provider: opena, model: llama3.2}\n",
			`PATH:2: agent "casper": unknown provider "opena": ` + providers},
		{"unknown provider in defaults",
			"defaults:\n  provider: bedrok\n  model: x\n",
			`PATH:2: defaults: unknown provider "bedrok": ` + providers},
		{"unknown agent",
			"agents:\n  caspar: {temperature: 0.1}\n",
			`PATH:2: agent "caspar": unknown agent: use one of melchior, balthasar, casper, solomon`},
		{"empty model",
			"agents:\n  melchior:\n    provider: openai\n    model: \"\"\n",
			`PATH:4: agent "melchior": model is empty: set it to a model id of the provider, like llama3.2 or claude-sonnet-4-5`},
		{"provider without model",
			"agents:\n  solomon:\n    provider: anthropic\n",
			`PATH:3: agent "solomon": provider "anthropic" needs a model: add model: <id> next to it`},
		{"defaults provider without model",
			"defaults:\n  provider: openai\n",
			`PATH:2: defaults: provider "openai" needs a model: add model: <id> next to it`},
		{"temperature too high",
			"agents:\n  balthasar:\n    temperature: 2.5\n",
			`PATH:3: agent "balthasar": temperature 2.5 is out of range: use 0 to 2`},
		{"temperature negative",
			"defaults:\n  temperature: -0.1\n",
			`PATH:2: defaults: temperature -0.1 is out of range: use 0 to 2`},
		{"max tokens with a fraction",
			"agents:\n  casper:\n    max_tokens: 1.5\n",
			`PATH:3: agent "casper": "1.5" must be a whole number`},
		{"rounds with a fraction",
			"rounds: 2.5\n",
			`PATH:1: "2.5" must be a whole number`},
		{"max tokens zero",
			"agents:\n  casper:\n    max_tokens: 0\n",
			`PATH:3: agent "casper": max_tokens 0 is out of range: use 1 to 1000000`},
		{"timeout negative",
			"agents:\n  casper:\n    timeout: -5s\n",
			`PATH:3: agent "casper": timeout -5s is out of range: use 1s to 1h, like 90s`},
		{"timeout absurd",
			"agents:\n  solomon:\n    timeout: 48h\n",
			`PATH:3: agent "solomon": timeout 48h0m0s is out of range: use 1s to 1h, like 90s`},
		{"timeout without unit",
			"agents:\n  casper:\n    timeout: 60\n",
			`PATH:3: agent "casper": timeout "60" is not a duration: write it with a unit, like 90s or 2m`},
		{"persona in defaults",
			"defaults:\n  persona: hi\n",
			`PATH:2: defaults: persona is per agent: move it under agents.<id>`},
		{"persona empty",
			"agents:\n  casper:\n    persona: \" \"\n",
			`PATH:3: agent "casper": persona is empty: write one, or remove the key to keep the built-in persona`},
		{"fallback unknown provider",
			"agents:\n  casper:\n    fallbacks:\n      - {provider: ollama, model: llama3.2}\n",
			`PATH:3: agent "casper": fallbacks[0]: unknown provider "ollama": ` + providers},
		{"fallback without model",
			"agents:\n  melchior:\n    fallbacks: [{provider: sim}, {provider: bedrock}]\n",
			`PATH:3: agent "melchior": fallbacks[1]: model is empty: give the bedrock model to fall back to, like {provider: bedrock, model: <id>}`},
		{"typo in an agent key",
			"agents:\n  casper:\n    temprature: 0.2\n",
			`PATH:3: agent "casper": unknown key "temprature": use one of provider, model, persona, temperature, max_tokens, timeout, fallbacks`},
		{"typo at the top",
			"agent:\n  casper: {}\n",
			`PATH:1: unknown key "agent": use one of rule, rounds, context_bytes, defaults, agents, prices, oidc, allowed_models`},
		{"typo in a fallback",
			"defaults:\n  fallbacks: [{provder: sim}]\n",
			`PATH:2: defaults: unknown key "provder": use one of provider, model`},
		{"typo in a price",
			"prices:\n  x: {in: 1, output: 2}\n",
			`PATH:2: prices "x": unknown key "in": use one of input, output`},
		{"price negative",
			"prices:\n  llama3.2: {input: -1, output: 0}\n",
			`PATH:2: prices "llama3.2": input must be set and not negative, in USD per million tokens, like {input: 0.15, output: 0.6}`},
		{"price missing output",
			"prices:\n  llama3.2: {input: 0}\n",
			`PATH:2: prices "llama3.2": output must be set and not negative, in USD per million tokens, like {input: 0.15, output: 0.6}`},
		{"wrong type",
			"defaults:\n  temperature: hot\n",
			"PATH:2: defaults: cannot unmarshal !!str `hot` into float64"},
		{"bad yaml",
			"agents:\n  casper: {model: [\n",
			"PATH:2: did not find expected node content"},
		{"several mistakes at once",
			"agents:\n  casper:\n    provider: opena\n    model: x\n  solomon:\n    temperature: 9\n",
			`PATH:3: agent "casper": unknown provider "opena": ` + providers + "\n" +
				`PATH:6: agent "solomon": temperature 9 is out of range: use 0 to 2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeAgents(t, tt.yaml)
			_, err := Load(Flags{ConfigPath: path}, env())
			got := wantConfigError(t, err)
			if want := strings.ReplaceAll(tt.want, "PATH", path); got != want {
				t.Errorf("message\n got: %s\nwant: %s", got, want)
			}
		})
	}
}
