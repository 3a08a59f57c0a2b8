// Package config reads MAGI's configuration once, at start-up, into a
// Config: the council's agents and their models, the provider endpoints,
// model prices and server limits. Nothing else in MAGI reads the
// environment; everything is passed down from the Config.
//
// Sources, lowest precedence first: built-in defaults, the environment
// (MAGI_PROVIDER, MAGI_MODEL, …), the agents YAML file's defaults, the
// file's per-agent settings, and last the command-line flags.
package config

import (
	"log/slog"
	"time"

	"github.com/magi-system/magi"
)

// Defaults of the server settings.
const (
	DefaultAddr             = "127.0.0.1:8080"
	DefaultMaxQuestionBytes = 16 << 10
	DefaultMaxRunning       = 64
	DefaultShutdownGrace    = 10 * time.Second
	DefaultBodyTimeout      = 10 * time.Second
	// DefaultStreamWriteTimeout is how long one write of an event stream
	// may wait for a client that does not read.
	DefaultStreamWriteTimeout = 10 * time.Second
	// DefaultStreamsPerKey and DefaultStreamsPerAddr are how many event
	// streams one API key (or signed-in user) and one client address may
	// hold open at once.
	DefaultStreamsPerKey  = 256
	DefaultStreamsPerAddr = 128
	// DefaultQuotaShare is the share of MaxRunning, in percent, that one
	// API key may run at once unless MAGI_QUOTA_CONCURRENT says otherwise.
	DefaultQuotaShare = 50
	DefaultSimPace    = 25 * time.Millisecond
)

// The provider names an agent may use.
const (
	ProviderAnthropic = "anthropic"
	ProviderBedrock   = "bedrock"
	ProviderOpenAI    = "openai"
	ProviderSim       = "sim"
)

// Providers lists the known provider names, sorted.
var Providers = []string{ProviderAnthropic, ProviderBedrock, ProviderOpenAI, ProviderSim}

// Flags are the command-line overrides. An empty field is unset.
type Flags struct {
	ConfigPath string // --config
	DB         string // --db
	Addr       string // --addr
	// Provider and Model override every agent, the file included; a
	// provider or model set here drops the agents' fallbacks.
	Provider string // --provider
	Model    string // --model
}

// Config is MAGI's whole configuration, read once by Load.
type Config struct {
	// Addr is the address the HTTP server listens on.
	Addr string
	// DB is the store: a file path (SQLite) or a postgres:// URL. Empty
	// means the default SQLite path, which the caller resolves.
	DB string
	// ConfigPath is the agents YAML file, empty when none was given.
	ConfigPath string

	// Agents are the four members of the council, in magi.Members order,
	// each with its provider and model set.
	Agents []magi.Agent
	// Rule and Rounds are the decision rule and the most rounds of debate
	// of a deliberation that names none (the agents file's `rule:` and
	// `rounds:`; majority and magi.DefaultRounds when unset).
	Rule   magi.Rule
	Rounds int
	// ContextBytes is the budget of the context a follow-up's agents
	// receive (MAGI_CONTEXT_BYTES, the agents file's `context_bytes:`;
	// magi.DefaultContextBytes when unset).
	ContextBytes int
	// AllowedModels restricts, per provider, the models a saved council
	// may choose (MAGI_ALLOWED_MODELS_<PROVIDER>, the file's
	// allowed_models:); a provider without a list allows any model, one
	// with an empty list is not offered.
	AllowedModels map[string][]string
	// Offered are the providers a saved council may choose: those the
	// server's agents use or has credentials for, and sim; sorted.
	Offered []string
	// ProviderNote, when not empty, tells the user why the council is
	// simulated and how to configure a real model. Show it at start-up.
	ProviderNote string

	OpenAI    OpenAI
	Anthropic Anthropic
	Bedrock   Bedrock

	// Prices are USD per million tokens by lower-case model id: the
	// built-in list extended or overridden by the file's prices.
	Prices map[string]Price

	// MaxQuestionBytes is the largest question accepted, in bytes.
	MaxQuestionBytes int
	// MaxRunning is how many deliberations may run at once, server-wide.
	MaxRunning int
	// ShutdownGrace is how long a shutdown waits for running work.
	ShutdownGrace time.Duration
	// BodyTimeout is how long a request body may take to arrive.
	BodyTimeout time.Duration
	// StreamWriteTimeout is how long one write of an event stream may
	// wait for the client to read; a client that stops reading is dropped.
	StreamWriteTimeout time.Duration
	// StreamsPerKey and StreamsPerAddr are how many event streams one
	// API key (or signed-in user, or the open API) and one client address
	// may hold open at once; 0 is unlimited.
	StreamsPerKey, StreamsPerAddr int
	// SimSeed seeds the simulated council; 0 lets it derive one from
	// the question.
	SimSeed int64
	// SimPace is the pause between the simulated council's tokens.
	SimPace time.Duration
	// CORSOrigins are the origins allowed to call the API from a
	// browser; empty means same-origin only.
	CORSOrigins []string
	// QuotaPerMinute, QuotaConcurrent and QuotaTokensPerDay are the
	// per-API-key limits of magi serve: deliberations started per minute,
	// running at once, and tokens used in 24 hours; 0 is unlimited.
	QuotaPerMinute, QuotaConcurrent, QuotaTokensPerDay int
	// QuotaConcurrentShare, when not 0, is the percentage of MaxRunning
	// that QuotaConcurrent was computed from (by default half of it).
	QuotaConcurrentShare int
	// LogLevel is the lowest level logged.
	LogLevel slog.Level
	// OIDC is the sign-in through an OpenID Connect provider (oidc.go).
	OIDC OIDC

	// Sources says where each setting came from, for `magi agents`:
	// keys like "addr" or "casper.model", values like "MAGI_ADDR",
	// "agents.yaml: agents.casper" or "built-in".
	Sources map[string]string
}

// OpenAI is the OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, …).
type OpenAI struct {
	// BaseURL is OPENAI_BASE_URL; empty means the SDK's default,
	// https://api.openai.com/v1.
	BaseURL string
	APIKey  string // OPENAI_API_KEY; never print it, see MaskSecret
}

// Anthropic is the Anthropic API endpoint.
type Anthropic struct {
	APIKey  string // ANTHROPIC_API_KEY; never print it, see MaskSecret
	BaseURL string // ANTHROPIC_BASE_URL; empty means the SDK's default
}

// Bedrock is AWS Bedrock. The AWS SDK reads its own credential chain;
// these are kept for messages.
type Bedrock struct {
	Region  string // AWS_REGION, else AWS_DEFAULT_REGION
	Profile string // AWS_PROFILE
}

// Agent returns the configured agent with the given id.
func (c *Config) Agent(id magi.AgentID) (magi.Agent, bool) {
	for _, a := range c.Agents {
		if a.ID == id {
			return a, true
		}
	}
	return magi.Agent{}, false
}

// Simulated reports whether any agent, or any fallback, uses the
// simulated provider: its output must then be labelled simulated.
func (c *Config) Simulated() bool {
	for _, a := range c.Agents {
		if a.Provider == ProviderSim {
			return true
		}
		for _, f := range a.Fallbacks {
			if f.Provider == ProviderSim {
				return true
			}
		}
	}
	return false
}

// Load reads the configuration from the command-line flags, the
// environment (through getenv, called only here) and the agents YAML file
// named by --config or MAGI_CONFIG. Any mistake is a *magi.Error with code
// magi.ECONFIG whose message names the setting and the fix.
func Load(args Flags, getenv func(string) string) (*Config, error) {
	c := &Config{Sources: map[string]string{}}
	c.Addr = c.pick("addr", DefaultAddr, "MAGI_ADDR", getenv("MAGI_ADDR"), "--addr", args.Addr)
	c.DB = c.pick("db", "", "MAGI_DB", getenv("MAGI_DB"), "--db", args.DB)
	c.ConfigPath = c.pick("config", "", "MAGI_CONFIG", getenv("MAGI_CONFIG"), "--config", args.ConfigPath)
	c.readEndpoints(getenv)
	if err := c.readLimits(getenv); err != nil {
		return nil, err
	}
	if err := c.readOIDC(getenv); err != nil {
		return nil, err
	}
	c.Prices = DefaultPrices()
	if err := c.loadAgents(args, getenv); err != nil {
		return nil, err
	}
	if err := c.checkOIDC(); err != nil {
		return nil, err
	}
	return c, nil
}

// pick returns the last set of a built-in default, an environment variable
// and a flag, and records which one it was.
func (c *Config) pick(key, def, envName, env, flagName, flag string) string {
	v, src := def, "built-in"
	if env != "" {
		v, src = env, envName
	}
	if flag != "" {
		v, src = flag, flagName
	}
	c.Sources[key] = src
	return v
}

// readEndpoints keeps the provider endpoints and credentials hints.
func (c *Config) readEndpoints(getenv func(string) string) {
	c.OpenAI = OpenAI{BaseURL: getenv("OPENAI_BASE_URL"), APIKey: getenv("OPENAI_API_KEY")}
	c.Anthropic = Anthropic{APIKey: getenv("ANTHROPIC_API_KEY"), BaseURL: getenv("ANTHROPIC_BASE_URL")}
	c.Bedrock = Bedrock{Region: awsRegion(getenv), Profile: getenv("AWS_PROFILE")}
}

// configError is the one way this package reports a mistake.
func configError(format string, args ...any) error {
	return magi.Errorf(magi.ECONFIG, format, args...)
}
