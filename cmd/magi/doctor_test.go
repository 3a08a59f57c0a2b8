package main

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/magi-system/magi/internal/fakeanthropic"
	"github.com/magi-system/magi/internal/fakebedrock"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/magitest"
)

// `magi doctor` against the wire-format fakes: what a user reads when a
// configuration is broken, and that a healthy one passes.

// doctorLine is the line of `magi doctor` output about agent's primary model.
func doctorLine(t *testing.T, out, agent string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, agent) && strings.Contains(l, " model ") {
			return l
		}
	}
	t.Fatalf("no line about %s in:\n%s", agent, out)
	return ""
}

// healthyUpstreams are the three fakes knowing exactly the mixed council's models.
func healthyUpstreams(t *testing.T) *upstreams {
	return startUpstreams(t, fakebedrock.Config{Models: []string{claudeBedrock, novaLite}},
		fakellm.Config{Models: []string{"llama3.2"}}, fakeanthropic.Config{Models: []string{"claude-sonnet-4-5"}})
}

func TestDoctor_HealthyMixedCouncil(t *testing.T) {
	u := healthyUpstreams(t)
	r := magitest.MustRun(t, u.env, "doctor", "--config", writeConfig(t, mixedYAML))
	for _, agent := range []string{"MELCHIOR-1", "BALTHASAR-2", "CASPER-3", "SOLOMON"} {
		if l := doctorLine(t, r.Stdout, agent); !strings.HasPrefix(l, "✓") {
			t.Errorf("%s: %q, want ✓", agent, l)
		}
	}
	if strings.Contains(r.Stdout, "✗") || !strings.Contains(r.Stdout, "All checks passed.") {
		t.Errorf("a healthy config does not pass:\n%s", r.Stdout)
	}
}

func TestDoctor_BrokenProviders(t *testing.T) {
	closed := httptest.NewServer(nil)
	deadURL := closed.URL + "/v1"
	closed.Close()
	tests := []struct {
		name  string
		env   []string // overrides of the healthy environment
		yaml  string
		agent string
		want  []string // all in the agent's line
		// failures is the number of ✗ lines: 1 when 0 (both Bedrock
		// agents share the AWS credentials).
		failures int
	}{
		{"bad anthropic key", []string{"ANTHROPIC_API_KEY", "sk-ant-wrong-key-0000"}, mixedYAML, "SOLOMON",
			[]string{"✗", "anthropic model claude-sonnet-4-5", "authentication failed", "check the anthropic API key"}, 0},
		{"bad openai key", []string{"OPENAI_API_KEY", "sk-wrong-openai-0000"}, mixedYAML, "CASPER-3",
			[]string{"✗", "openai model llama3.2", "authentication failed", "check the openai API key"}, 0},
		{"bad aws key", []string{"AWS_ACCESS_KEY_ID", "AKIAWRONGKEY00000000"}, mixedYAML, "MELCHIOR-1",
			[]string{"✗", "bedrock model " + claudeBedrock, "access denied", "check the AWS credentials"}, 2},
		{"unknown anthropic model", nil, strings.Replace(mixedYAML, "model: claude-sonnet-4-5", "model: claude-sonet-4-5", 1), "SOLOMON",
			[]string{"✗", "anthropic model claude-sonet-4-5", "not found", "check the model id"}, 0},
		{"unknown bedrock model", nil, strings.Replace(mixedYAML, novaLite, "amazon.nova-lyte-v1:0", 1), "BALTHASAR-2",
			[]string{"✗", "bedrock model amazon.nova-lyte-v1:0", "not found", "check the model id"}, 0},
		{"unknown openai model", nil, strings.Replace(mixedYAML, "model: llama3.2", "model: llama3.3", 1), "CASPER-3",
			[]string{"✗", "openai model llama3.3", "not found", "check the model id"}, 0},
		{"unreachable base URL", []string{"OPENAI_BASE_URL", deadURL}, mixedYAML, "CASPER-3",
			[]string{"✗", "cannot reach openai model llama3.2 at " + deadURL, "connection refused"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := healthyUpstreams(t)
			r := magitest.Run(t, magitest.With(u.env, tt.env...), "doctor", "--config", writeConfig(t, tt.yaml))
			if r.Code == 0 {
				t.Errorf("doctor exited 0 on a broken config:\n%s", r.Stdout)
			}
			line := doctorLine(t, r.Stdout, tt.agent)
			for _, w := range tt.want {
				if !strings.Contains(line, w) {
					t.Errorf("%s line %q lacks %q", tt.agent, line, w)
				}
			}
			if n := strings.Count(r.Stdout, "✗"); n != max(tt.failures, 1) {
				t.Errorf("%d failures reported, want only the broken agent's:\n%s", n, r.Stdout)
			}
			for _, secret := range []string{"sk-ant-wrong-key-0000", "sk-wrong-openai-0000", mixedAnthKey, mixedOpenAIKey} {
				if strings.Contains(r.Stdout+r.Stderr, secret) {
					t.Errorf("doctor prints the key %q", secret)
				}
			}
		})
	}
}

func TestDoctor_BedrockWithoutRegion(t *testing.T) {
	u := healthyUpstreams(t)
	env := magitest.With(u.env, "AWS_REGION", "", "AWS_DEFAULT_REGION", "")
	r := magitest.Run(t, env, "doctor", "--config", writeConfig(t, mixedYAML))
	if r.Code == 0 {
		t.Errorf("doctor exited 0 with bedrock agents and no region:\n%s", r.Stdout)
	}
	if !strings.Contains(r.Stdout, "✗") || !strings.Contains(r.Stdout, "AWS_REGION") {
		t.Errorf("doctor does not say to set AWS_REGION:\n%s", r.Stdout)
	}
}

func TestDoctor_YAMLMistakes(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want *regexp.Regexp
	}{
		{"unknown key", mixedYAML + "    temprature: 0.2\n",
			regexp.MustCompile(`agents\.yaml:14: agent "solomon": unknown key "temprature": use one of provider, model, persona, temperature`)},
		{"unknown provider", strings.Replace(mixedYAML, "provider: openai", "provider: opena", 1),
			regexp.MustCompile(`agents\.yaml:9: agent "casper": unknown provider "opena": use one of anthropic, bedrock, openai, sim`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := healthyUpstreams(t)
			r := magitest.Run(t, u.env, "doctor", "--config", writeConfig(t, tt.yaml))
			if r.Code == 0 {
				t.Errorf("doctor exited 0 on a bad file")
			}
			if !tt.want.MatchString(r.Stdout) {
				t.Errorf("output does not match %s:\n%s", tt.want, r.Stdout)
			}
		})
	}
}
