package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// writeAgents writes an agents.yaml in a temporary directory.
func writeAgents(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agents.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// models is each agent's "provider/model", in council order.
func models(c *Config) []string {
	var out []string
	for _, a := range c.Agents {
		out = append(out, a.Provider+"/"+a.Model)
	}
	return out
}

func four(s string) []string { return []string{s, s, s, s} }

func TestLoad_Precedence(t *testing.T) {
	tests := []struct {
		name  string
		env   func(string) string
		file  string
		flags Flags
		want  []string
	}{
		{"env alone", env("MAGI_PROVIDER", "openai", "MAGI_MODEL", "llama3.2"), "", Flags{}, four("openai/llama3.2")},
		{"file defaults over env model", env("MAGI_PROVIDER", "anthropic", "MAGI_MODEL", "claude-3-5-haiku"),
			"defaults: {model: claude-sonnet-4-5}", Flags{}, four("anthropic/claude-sonnet-4-5")},
		{"file defaults over env provider", env("ANTHROPIC_API_KEY", "k"),
			"defaults: {provider: openai, model: llama3.2}", Flags{}, four("openai/llama3.2")},
		{"same provider keeps env model", env("MAGI_PROVIDER", "openai", "MAGI_MODEL", "qwen2.5"),
			"defaults: {provider: openai}", Flags{}, four("openai/qwen2.5")},
		{"per agent over defaults", env(),
			"defaults: {provider: openai, model: llama3.2}\nagents:\n  solomon: {provider: anthropic, model: claude-sonnet-4-5}\n  casper: {model: qwen2.5}",
			Flags{}, []string{"openai/llama3.2", "openai/llama3.2", "openai/qwen2.5", "anthropic/claude-sonnet-4-5"}},
		{"file sim needs no model", env("OPENAI_API_KEY", "k"), "defaults: {provider: sim}", Flags{}, four("sim/sim-1")},
		{"flag provider over file", env(),
			"defaults: {provider: openai, model: llama3.2}\nagents:\n  solomon: {provider: anthropic, model: claude-sonnet-4-5}",
			Flags{Provider: "sim"}, four("sim/sim-1")},
		{"flag model over file, providers kept", env(),
			"defaults: {provider: openai, model: llama3.2}\nagents:\n  solomon: {provider: anthropic, model: claude-sonnet-4-5}",
			Flags{Model: "m"}, []string{"openai/m", "openai/m", "openai/m", "anthropic/m"}},
		{"flag provider takes MAGI_MODEL", env("MAGI_MODEL", "llama3.2"),
			"defaults: {provider: bedrock, model: amazon.nova-pro-v1:0}", Flags{Provider: "openai"}, four("openai/llama3.2")},
		{"flag provider ignores another provider's MAGI_MODEL", env("MAGI_PROVIDER", "anthropic", "MAGI_MODEL", "claude-3-5-haiku"),
			"", Flags{Provider: "openai"}, four("openai/gpt-4o-mini")},
		{"flag provider equal keeps file model", env(),
			"defaults: {provider: openai, model: llama3.2}", Flags{Provider: "openai"}, four("openai/llama3.2")},
		{"model without provider stays sim", env(), "defaults: {model: llama3.2}", Flags{}, four("sim/sim-1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flags := tt.flags
			if tt.file != "" {
				flags.ConfigPath = writeAgents(t, tt.file)
			}
			c, err := Load(flags, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, models(c)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoad_FileSettings(t *testing.T) {
	path := writeAgents(t, `
defaults:
  provider: openai
  model: llama3.2
  temperature: 0.7
  max_tokens: 2048
  timeout: 90s
  fallbacks: [{provider: sim}]
agents:
  melchior:
    provider: bedrock
    model: anthropic.claude-3-5-sonnet-20240620-v1:0
    persona: "You are the scientist."
    temperature: 0.3
    max_tokens: 1500
    timeout: 60s
    fallbacks: [{provider: openai, model: llama3.2}]
  casper:
    fallbacks: []
prices:
  llama3.2: {input: 0, output: 0}
  gpt-4o-mini: {input: 1, output: 2}
`)
	c, err := Load(Flags{}, env("MAGI_CONFIG", path, "AWS_REGION", "us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	if c.ConfigPath != path || c.Sources["config"] != "MAGI_CONFIG" {
		t.Errorf("ConfigPath %q from %q", c.ConfigPath, c.Sources["config"])
	}
	mel, _ := c.Agent(magi.Melchior)
	bal, _ := c.Agent(magi.Balthasar)
	cas, _ := c.Agent(magi.Casper)
	sol, _ := c.Agent(magi.Solomon)
	temp := func(f float64) *float64 { return &f }
	want := []magi.Agent{
		{ID: magi.Melchior, Name: "MELCHIOR-1", Provider: "bedrock", Model: "anthropic.claude-3-5-sonnet-20240620-v1:0",
			Temperature: temp(0.3), MaxTokens: 1500, Timeout: 60 * time.Second,
			Fallbacks: []magi.ModelRef{{Provider: "openai", Model: "llama3.2"}}},
		{ID: magi.Balthasar, Name: "BALTHASAR-2", Provider: "openai", Model: "llama3.2",
			Temperature: temp(0.7), MaxTokens: 2048, Timeout: 90 * time.Second,
			Fallbacks: []magi.ModelRef{{Provider: "sim", Model: "sim-1"}}},
		{ID: magi.Casper, Name: "CASPER-3", Provider: "openai", Model: "llama3.2",
			Temperature: temp(0.7), MaxTokens: 2048, Timeout: 90 * time.Second, Fallbacks: []magi.ModelRef{}},
		{ID: magi.Solomon, Name: "SOLOMON", Provider: "openai", Model: "llama3.2",
			Temperature: temp(0.7), MaxTokens: 2048, Timeout: 90 * time.Second,
			Fallbacks: []magi.ModelRef{{Provider: "sim", Model: "sim-1"}}},
	}
	got := []magi.Agent{mel, bal, cas, sol}
	if diff := cmp.Diff(want, got, cmpIgnorePersona); diff != "" {
		t.Errorf("agents (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(mel.Persona, "You are the scientist.\n\n") || !strings.Contains(mel.Persona, `{"decision"`) {
		t.Errorf("custom persona lacks the verdict format:\n%s", mel.Persona)
	}
	if bal.Persona != magi.DefaultAgents()[1].Persona {
		t.Error("balthasar lost its built-in persona")
	}
	if !c.Simulated() {
		t.Error("Simulated() = false with sim fallbacks")
	}
	if c.ProviderNote != "" {
		t.Errorf("ProviderNote = %q with a configured council", c.ProviderNote)
	}
	if got, want := c.Sources["melchior.timeout"], path+": agents.melchior"; got != want {
		t.Errorf("melchior.timeout source = %q, want %q", got, want)
	}
	if got, want := c.Sources["casper.model"], path+": defaults"; got != want {
		t.Errorf("casper.model source = %q, want %q", got, want)
	}
	if p := c.Prices["gpt-4o-mini"]; p != (Price{1, 2}) {
		t.Errorf("file price did not override the default: %+v", p)
	}
}

var cmpIgnorePersona = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Persona" }, cmp.Ignore())

func TestLoad_FlagsDropFallbacks(t *testing.T) {
	path := writeAgents(t, "defaults: {provider: openai, model: a, fallbacks: [{provider: sim}]}")
	c, err := Load(Flags{ConfigPath: path, Model: "b"}, env())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range c.Agents {
		if a.Model != "b" || a.Fallbacks != nil {
			t.Errorf("%s: model %q fallbacks %v, want b and none", a.ID, a.Model, a.Fallbacks)
		}
	}
}

func TestLoad_CustomPersonaWithFormatKept(t *testing.T) {
	persona := `Judge. End with {"decision": "APPROVED"}.`
	path := writeAgents(t, "agents:\n  solomon:\n    persona: '"+persona+"'\n")
	c, err := Load(Flags{ConfigPath: path}, env())
	if err != nil {
		t.Fatal(err)
	}
	if sol, _ := c.Agent(magi.Solomon); sol.Persona != persona {
		t.Errorf("persona = %q, want it unchanged", sol.Persona)
	}
}

func TestFormatInstruction_EveryMember(t *testing.T) {
	for _, id := range magi.Members {
		if f := formatInstruction(id); !strings.Contains(f, `{"decision"`) || !strings.HasPrefix(f, "\n\n") {
			t.Errorf("%s: no verdict format found in the built-in persona: %q", id, f)
		}
	}
	if f := formatInstruction(magi.Solomon); !strings.Contains(f, `"scores"`) {
		t.Errorf("solomon's format lacks scores: %q", f)
	}
}

func TestLoad_MissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(Flags{ConfigPath: path}, env())
	msg := wantConfigError(t, err)
	if want := `config file "` + path + `" not found: check --config or MAGI_CONFIG`; msg != want {
		t.Errorf("message %q, want %q", msg, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err %v does not wrap fs.ErrNotExist", err)
	}
}

func TestLoad_EmptyFile(t *testing.T) {
	c, err := Load(Flags{ConfigPath: writeAgents(t, "# nothing yet\n")}, env("OPENAI_API_KEY", "k"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(four("openai/gpt-4o-mini"), models(c)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
