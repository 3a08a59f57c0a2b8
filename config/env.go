package config

import (
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// simNote is the ProviderNote of a council that fell back to sim.
const simNote = "no model configured: using the simulated council (sim). To use a real model set " +
	"OPENAI_BASE_URL (e.g. http://127.0.0.1:11434/v1 for Ollama) with MAGI_MODEL, " +
	"or ANTHROPIC_API_KEY, or AWS_REGION with AWS credentials"

// choice is a provider and model with where each came from.
type choice struct {
	provider, model string
	providerSrc     string
	modelSrc        string
	auto            bool // the provider was guessed: nothing was configured
	// providerBy, modelBy and fallbacksBy are the layers of a council
	// that set them; nil when they are the server's.
	providerBy, modelBy, fallbacksBy *layer
}

// envChoice is the council-wide provider and model of the environment:
// MAGI_PROVIDER and MAGI_MODEL, or a provider guessed from credentials.
func envChoice(getenv func(string) string) (choice, error) {
	ch := choice{provider: getenv("MAGI_PROVIDER"), providerSrc: "MAGI_PROVIDER"}
	if ch.provider == "" {
		ch.provider, ch.providerSrc = detectProvider(getenv)
		ch.auto = ch.provider == ProviderSim
	} else if err := checkProvider(ch.provider); err != nil {
		return ch, configError("MAGI_PROVIDER: %v", err)
	}
	ch.model, ch.modelSrc = getenv("MAGI_MODEL"), "MAGI_MODEL"
	if ch.model == "" || ch.auto {
		ch.model, ch.modelSrc = DefaultModel(ch.provider, awsRegion(getenv)), "built-in default for "+ch.provider
	}
	return ch, nil
}

// detectProvider guesses the provider from the credentials in the
// environment, in SPEC order, and says which variable decided it.
func detectProvider(getenv func(string) string) (provider, source string) {
	switch {
	case getenv("ANTHROPIC_API_KEY") != "":
		return ProviderAnthropic, "auto: ANTHROPIC_API_KEY is set"
	case getenv("OPENAI_BASE_URL") != "":
		return ProviderOpenAI, "auto: OPENAI_BASE_URL is set"
	case getenv("OPENAI_API_KEY") != "":
		return ProviderOpenAI, "auto: OPENAI_API_KEY is set"
	case awsRegion(getenv) != "" && awsCredentials(getenv):
		return ProviderBedrock, "auto: AWS region and credentials are set"
	}
	return ProviderSim, "auto: no model configured"
}

// awsRegion is the region the AWS SDK would use from the environment.
func awsRegion(getenv func(string) string) string {
	if r := getenv("AWS_REGION"); r != "" {
		return r
	}
	return getenv("AWS_DEFAULT_REGION")
}

// awsCredentials reports whether the environment points the AWS SDK at
// credentials: keys, a profile, web identity or a container endpoint.
func awsCredentials(getenv func(string) string) bool {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		if getenv(k) != "" {
			return true
		}
	}
	return false
}

// checkProvider says what is wrong with a provider name, and the fix.
func checkProvider(name string) error {
	if slices.Contains(Providers, name) {
		return nil
	}
	return fmt.Errorf("unknown provider %q: use one of %s", name, strings.Join(Providers, ", "))
}

// DefaultModel is the model a provider uses when none is configured. For
// Bedrock it is the Claude Sonnet 4.5 inference profile of the region's
// geography (us., eu., else global.).
func DefaultModel(provider, region string) string {
	switch provider {
	case ProviderOpenAI:
		return "gpt-4o-mini"
	case ProviderAnthropic:
		return "claude-sonnet-4-5"
	case ProviderBedrock:
		geo := "global."
		switch {
		case strings.HasPrefix(region, "us-"):
			geo = "us."
		case strings.HasPrefix(region, "eu-"):
			geo = "eu."
		}
		return geo + "anthropic.claude-sonnet-4-5-20250929-v1:0"
	case ProviderSim:
		return "sim-1"
	}
	return ""
}

// readLimits reads the server limits and knobs from the environment.
func (c *Config) readLimits(getenv func(string) string) error {
	var err error
	r := envReader{getenv: getenv, c: c}
	c.MaxQuestionBytes = r.int("max_question_bytes", "MAGI_MAX_QUESTION_BYTES", DefaultMaxQuestionBytes, 1, &err)
	c.MaxRunning = r.int("max_running", "MAGI_MAX_RUNNING", DefaultMaxRunning, 1, &err)
	c.ShutdownGrace = r.duration("shutdown_grace", "MAGI_SHUTDOWN_GRACE", DefaultShutdownGrace, &err)
	c.BodyTimeout = r.duration("body_timeout", "MAGI_BODY_TIMEOUT", DefaultBodyTimeout, &err)
	if c.BodyTimeout == 0 {
		setErr(&err, configError("MAGI_BODY_TIMEOUT=0: want a positive duration, like 10s"))
	}
	c.StreamWriteTimeout = r.duration("stream_write_timeout", "MAGI_STREAM_WRITE_TIMEOUT", DefaultStreamWriteTimeout, &err)
	if c.StreamWriteTimeout == 0 {
		setErr(&err, configError("MAGI_STREAM_WRITE_TIMEOUT=0: want a positive duration, like 10s"))
	}
	c.StreamsPerKey = r.int("streams_per_key", "MAGI_STREAMS_PER_KEY", DefaultStreamsPerKey, 0, &err)
	c.StreamsPerAddr = r.int("streams_per_addr", "MAGI_STREAMS_PER_ADDR", DefaultStreamsPerAddr, 0, &err)
	c.SimPace = r.duration("sim_pace", "MAGI_SIM_PACE", DefaultSimPace, &err)
	c.SimSeed = int64(r.int("sim_seed", "MAGI_SIM_SEED", 0, math.MinInt, &err))
	c.LogLevel = r.level("log_level", "MAGI_LOG_LEVEL", &err)
	c.QuotaPerMinute = r.int("quota_per_minute", "MAGI_QUOTA_PER_MINUTE", 0, 0, &err)
	c.QuotaConcurrent, c.QuotaConcurrentShare = r.share("quota_concurrent", "MAGI_QUOTA_CONCURRENT", c.MaxRunning, &err)
	c.QuotaTokensPerDay = r.int("quota_tokens_per_day", "MAGI_QUOTA_TOKENS_PER_DAY", 0, 0, &err)
	if e := c.readContextBytes(getenv); e != nil {
		setErr(&err, e)
	}
	for _, o := range strings.Split(getenv("MAGI_CORS_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	return err
}

// envReader parses optional environment variables, keeping the first error.
type envReader struct {
	getenv func(string) string
	c      *Config
}

func (r envReader) lookup(key, name string) (string, bool) {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		r.c.Sources[key] = "built-in"
		return "", false
	}
	r.c.Sources[key] = name
	return v, true
}

func (r envReader) int(key, name string, def, min int, err *error) int {
	v, ok := r.lookup(key, name)
	if !ok {
		return def
	}
	n, e := strconv.Atoi(v)
	if e != nil || n < min {
		want := "a whole number"
		if min != math.MinInt {
			want += fmt.Sprintf(" of at least %d", min)
		}
		setErr(err, configError("%s=%q: want %s", name, v, want))
		return def
	}
	return n
}

// share reads a whole number of at least 0, or a percentage of capacity
// ("50%", 1–100, rounded up to at least 1); unset, DefaultQuotaShare. It
// returns the number and the percentage it came from (0 for a number).
func (r envReader) share(key, name string, capacity int, err *error) (int, int) {
	v, ok := r.lookup(key, name)
	pct := DefaultQuotaShare
	if ok {
		num, isPct := strings.CutSuffix(v, "%")
		n, e := strconv.Atoi(num)
		switch {
		case e == nil && !isPct && n >= 0:
			return n, 0
		case e != nil || !isPct || n < 1 || n > 100:
			setErr(err, configError("%s=%q: want a whole number of at least 0 (0: unlimited), or a share of MAGI_MAX_RUNNING from 1%% to 100%%, like 50%%", name, v))
			return 0, 0
		}
		pct = n
	}
	return max(1, (capacity*pct+99)/100), pct
}

func (r envReader) duration(key, name string, def time.Duration, err *error) time.Duration {
	v, ok := r.lookup(key, name)
	if !ok {
		return def
	}
	d, e := time.ParseDuration(v)
	if e != nil || d < 0 {
		setErr(err, configError("%s=%q: want a duration with a unit, like 10s or 250ms", name, v))
		return def
	}
	return d
}

func (r envReader) level(key, name string, err *error) slog.Level {
	v, ok := r.lookup(key, name)
	if !ok {
		return slog.LevelInfo
	}
	var l slog.Level
	if e := l.UnmarshalText([]byte(v)); e != nil {
		setErr(err, configError("%s=%q: use one of debug, info, warn, error", name, v))
		return slog.LevelInfo
	}
	return l
}

func setErr(dst *error, err error) {
	if *dst == nil {
		*dst = err
	}
}
