package config

import (
	"strings"
	"testing"
)

func TestMaskSecret(t *testing.T) {
	tests := map[string]string{
		"":                          "(not set)",
		"sk-abcdef1234":             "sk-***",
		"sk-proj-abcdef1234":        "sk-proj-***",
		"sk-ant-api03-abcdef1234":   "sk-ant-***",
		"sk-or-v1-abcdef1234":       "sk-or-***",
		"ollama":                    "***",
		"AKIAIOSFODNN7EXAMPLE-abcd": "***",
	}
	for in, want := range tests {
		if got := MaskSecret(in); got != want {
			t.Errorf("MaskSecret(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConfig_Describe_NeverPrintsSecrets(t *testing.T) {
	secrets := []string{"SECRETopenai1234", "SECRETanthropic5678", "hunter2", "pgsecret"}
	path := writeAgents(t, `
agents:
  melchior: {provider: bedrock, model: us.anthropic.claude-sonnet-4-5-20250929-v1:0, fallbacks: [{provider: sim}]}
  balthasar: {provider: openai, model: llama3.2, temperature: 0.4, max_tokens: 999}
  casper: {provider: anthropic, model: claude-sonnet-4-5, persona: "You are the realist."}
`)
	getenv := env(
		"OPENAI_API_KEY", "sk-proj-"+secrets[0],
		"ANTHROPIC_API_KEY", "sk-ant-api03-"+secrets[1],
		"OPENAI_BASE_URL", "http://magi:"+secrets[2]+"@127.0.0.1:11434/v1",
		"MAGI_DB", "postgres://magi:"+secrets[3]+"@db.internal/magi",
		"AWS_REGION", "eu-west-1", "AWS_PROFILE", "research",
	)
	c, err := Load(Flags{ConfigPath: path}, getenv)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := c.Describe(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("Describe printed the secret %q:\n%s", s, out)
		}
	}
	for _, want := range []string{
		"config file: " + path,
		"MELCHIOR-1", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "fallback 1", "sim-1",
		"BALTHASAR-2", "llama3.2", "0.4", "999",
		"CASPER-3", "claude-sonnet-4-5", "persona", path + ": agents.casper",
		"SOLOMON",
		"OPENAI_API_KEY sk-proj-***", "ANTHROPIC_API_KEY sk-ant-***",
		"http://magi:[redacted]@127.0.0.1:11434/v1", "postgres://magi:[redacted]@db.internal/magi",
		"region eu-west-1", "profile research", "127.0.0.1:8080",
		"MAGI council default", "SAVED COUNCILS MAY USE",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Describe output lacks %q:\n%s", want, out)
		}
	}
}

func TestConfig_Describe_SimNote(t *testing.T) {
	c, err := Load(Flags{}, env())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := c.Describe(&b); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "NOTE: "+simNote) || !strings.Contains(out, "built in, no network") {
		t.Errorf("Describe of the simulated council:\n%s", out)
	}
}
