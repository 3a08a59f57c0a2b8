package config

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// env returns a getenv over the given key, value pairs.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// wantConfigError fails unless err is a *magi.Error with code ECONFIG.
func wantConfigError(t *testing.T, err error) string {
	t.Helper()
	var e *magi.Error
	if !errors.As(err, &e) || e.Code != magi.ECONFIG {
		t.Fatalf("err = %v (%T), want a *magi.Error with code %q", err, err, magi.ECONFIG)
	}
	return e.Message
}

func TestLoad_ProviderFromEnvironment(t *testing.T) {
	const sonnetUS = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
	tests := []struct {
		name           string
		getenv         func(string) string
		provider, mod  string
		note           bool
		providerSource string
	}{
		{"nothing set", env(), "sim", "sim-1", true, "auto: no model configured"},
		{"anthropic key", env("ANTHROPIC_API_KEY", "sk-ant-x"), "anthropic", "claude-sonnet-4-5", false, "auto: ANTHROPIC_API_KEY is set"},
		{"anthropic before openai", env("ANTHROPIC_API_KEY", "k", "OPENAI_API_KEY", "k"), "anthropic", "claude-sonnet-4-5", false, "auto: ANTHROPIC_API_KEY is set"},
		{"openai base url", env("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1"), "openai", "gpt-4o-mini", false, "auto: OPENAI_BASE_URL is set"},
		{"openai key", env("OPENAI_API_KEY", "sk-x"), "openai", "gpt-4o-mini", false, "auto: OPENAI_API_KEY is set"},
		{"openai before bedrock", env("OPENAI_API_KEY", "sk-x", "AWS_REGION", "us-east-1", "AWS_PROFILE", "p"), "openai", "gpt-4o-mini", false, "auto: OPENAI_API_KEY is set"},
		{"aws keys", env("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "AKIA"), "bedrock", sonnetUS, false, "auto: AWS region and credentials are set"},
		{"aws default region and profile", env("AWS_DEFAULT_REGION", "eu-west-1", "AWS_PROFILE", "dev"), "bedrock", "eu.anthropic.claude-sonnet-4-5-20250929-v1:0", false, "auto: AWS region and credentials are set"},
		{"aws web identity", env("AWS_REGION", "ap-northeast-1", "AWS_WEB_IDENTITY_TOKEN_FILE", "/t"), "bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", false, "auto: AWS region and credentials are set"},
		{"aws container relative", env("AWS_REGION", "us-west-2", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/c"), "bedrock", sonnetUS, false, "auto: AWS region and credentials are set"},
		{"aws container full", env("AWS_REGION", "us-west-2", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://x"), "bedrock", sonnetUS, false, "auto: AWS region and credentials are set"},
		{"aws region without credentials", env("AWS_REGION", "us-east-1"), "sim", "sim-1", true, "auto: no model configured"},
		{"aws credentials without region", env("AWS_ACCESS_KEY_ID", "AKIA"), "sim", "sim-1", true, "auto: no model configured"},
		{"explicit provider wins over detection", env("MAGI_PROVIDER", "openai", "MAGI_MODEL", "llama3.2", "ANTHROPIC_API_KEY", "k"), "openai", "llama3.2", false, "MAGI_PROVIDER"},
		{"explicit sim has no note", env("MAGI_PROVIDER", "sim"), "sim", "sim-1", false, "MAGI_PROVIDER"},
		{"model without provider stays sim", env("MAGI_MODEL", "llama3.2"), "sim", "sim-1", true, "auto: no model configured"},
		{"model applies to detected provider", env("MAGI_MODEL", "claude-3-5-haiku", "ANTHROPIC_API_KEY", "k"), "anthropic", "claude-3-5-haiku", false, "auto: ANTHROPIC_API_KEY is set"},
		{"bedrock without region", env("MAGI_PROVIDER", "bedrock"), "bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", false, "MAGI_PROVIDER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(Flags{}, tt.getenv)
			if err != nil {
				t.Fatal(err)
			}
			var ids []magi.AgentID
			for _, a := range c.Agents {
				ids = append(ids, a.ID)
				if a.Provider != tt.provider || a.Model != tt.mod {
					t.Errorf("%s: %s/%s, want %s/%s", a.ID, a.Provider, a.Model, tt.provider, tt.mod)
				}
				if got := c.Sources[string(a.ID)+".provider"]; got != tt.providerSource {
					t.Errorf("%s provider source = %q, want %q", a.ID, got, tt.providerSource)
				}
			}
			if diff := cmp.Diff(magi.Members, ids); diff != "" {
				t.Errorf("agent ids (-want +got):\n%s", diff)
			}
			if got := c.ProviderNote == simNote; got != tt.note {
				t.Errorf("ProviderNote = %q, want the sim note: %v", c.ProviderNote, tt.note)
			}
			if got := c.Simulated(); got != (tt.provider == "sim") {
				t.Errorf("Simulated() = %v", got)
			}
		})
	}
}

func TestLoad_BuiltInCouncil(t *testing.T) {
	c, err := Load(Flags{}, env())
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range magi.DefaultAgents() {
		got := c.Agents[i]
		want.Provider, want.Model = "sim", "sim-1"
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("agent %s (-want +got):\n%s", want.ID, diff)
		}
	}
	if !strings.Contains(c.ProviderNote, "OPENAI_BASE_URL (e.g. http://127.0.0.1:11434/v1 for Ollama)") {
		t.Errorf("ProviderNote does not say how to configure a model: %q", c.ProviderNote)
	}
}

func TestLoad_ServerSettings(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		c, err := Load(Flags{}, env())
		if err != nil {
			t.Fatal(err)
		}
		got := []any{c.Addr, c.DB, c.ConfigPath, c.MaxQuestionBytes, c.MaxRunning, c.ShutdownGrace, c.SimSeed, c.SimPace, c.CORSOrigins, c.LogLevel,
			c.StreamWriteTimeout, c.StreamsPerKey, c.StreamsPerAddr}
		want := []any{"127.0.0.1:8080", "", "", 16384, 64, 10 * time.Second, int64(0), 25 * time.Millisecond, []string(nil), slog.LevelInfo,
			10 * time.Second, 256, 128}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("environment", func(t *testing.T) {
		c, err := Load(Flags{}, env("MAGI_ADDR", ":9090", "MAGI_DB", "/tmp/m.db",
			"MAGI_MAX_QUESTION_BYTES", "1024", "MAGI_MAX_RUNNING", "3", "MAGI_SHUTDOWN_GRACE", "2s",
			"MAGI_SIM_SEED", "-7", "MAGI_SIM_PACE", "0", "MAGI_CORS_ORIGINS", " https://a.example, ,https://b.example",
			"MAGI_LOG_LEVEL", "debug", "MAGI_STREAM_WRITE_TIMEOUT", "30s", "MAGI_STREAMS_PER_KEY", "0", "MAGI_STREAMS_PER_ADDR", "8"))
		if err != nil {
			t.Fatal(err)
		}
		got := []any{c.Addr, c.DB, c.MaxQuestionBytes, c.MaxRunning, c.ShutdownGrace, c.SimSeed, c.SimPace, c.CORSOrigins, c.LogLevel,
			c.StreamWriteTimeout, c.StreamsPerKey, c.StreamsPerAddr}
		want := []any{":9090", "/tmp/m.db", 1024, 3, 2 * time.Second, int64(-7), time.Duration(0), []string{"https://a.example", "https://b.example"}, slog.LevelDebug,
			30 * time.Second, 0, 8}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if c.Sources["max_running"] != "MAGI_MAX_RUNNING" || c.Sources["addr"] != "MAGI_ADDR" {
			t.Errorf("sources = %v", c.Sources)
		}
	})
	t.Run("flags win", func(t *testing.T) {
		c, err := Load(Flags{Addr: ":1", DB: "postgres://x/y"}, env("MAGI_ADDR", ":2", "MAGI_DB", "/tmp/m.db"))
		if err != nil {
			t.Fatal(err)
		}
		if c.Addr != ":1" || c.DB != "postgres://x/y" || c.Sources["addr"] != "--addr" {
			t.Errorf("addr %q db %q source %q", c.Addr, c.DB, c.Sources["addr"])
		}
	})
}

func TestLoad_EnvironmentErrors(t *testing.T) {
	tests := []struct {
		name  string
		flags Flags
		env   func(string) string
		want  string
	}{
		{"unknown provider", Flags{}, env("MAGI_PROVIDER", "opena"), `MAGI_PROVIDER: unknown provider "opena": use one of anthropic, bedrock, openai, sim`},
		{"unknown provider flag", Flags{Provider: "gemini"}, env(), `--provider: unknown provider "gemini": use one of anthropic, bedrock, openai, sim`},
		{"max running zero", Flags{}, env("MAGI_MAX_RUNNING", "0"), `MAGI_MAX_RUNNING="0": want a whole number of at least 1`},
		{"question bytes not a number", Flags{}, env("MAGI_MAX_QUESTION_BYTES", "16KiB"), `MAGI_MAX_QUESTION_BYTES="16KiB": want a whole number of at least 1`},
		{"grace without unit", Flags{}, env("MAGI_SHUTDOWN_GRACE", "10"), `MAGI_SHUTDOWN_GRACE="10": want a duration with a unit, like 10s or 250ms`},
		{"negative pace", Flags{}, env("MAGI_SIM_PACE", "-1ms"), `MAGI_SIM_PACE="-1ms": want a duration with a unit, like 10s or 250ms`},
		{"stream write timeout zero", Flags{}, env("MAGI_STREAM_WRITE_TIMEOUT", "0s"), `MAGI_STREAM_WRITE_TIMEOUT=0: want a positive duration, like 10s`},
		{"streams per key negative", Flags{}, env("MAGI_STREAMS_PER_KEY", "-1"), `MAGI_STREAMS_PER_KEY="-1": want a whole number of at least 0`},
		{"streams per address not a number", Flags{}, env("MAGI_STREAMS_PER_ADDR", "lots"), `MAGI_STREAMS_PER_ADDR="lots": want a whole number of at least 0`},
		{"seed not a number", Flags{}, env("MAGI_SIM_SEED", "abc"), `MAGI_SIM_SEED="abc": want a whole number`},
		{"log level", Flags{}, env("MAGI_LOG_LEVEL", "loud"), `MAGI_LOG_LEVEL="loud": use one of debug, info, warn, error`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.flags, tt.env)
			if got := wantConfigError(t, err); got != tt.want {
				t.Errorf("message\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}
