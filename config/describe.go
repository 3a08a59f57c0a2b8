package config

import (
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/magi-system/magi"
)

// Describe prints the effective council for `magi agents`: each agent's
// provider, model, parameters, fallbacks and where they came from, the
// endpoints of the providers in use and the server settings. Secrets are
// masked; no key is ever printed.
func (c *Config) Describe(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	file := c.ConfigPath
	if file == "" {
		file = "none (built-in council)"
	}
	fmt.Fprintf(tw, "MAGI council %s (built in) — config file: %s\n", magi.DefaultCouncil, file)
	if c.ProviderNote != "" {
		fmt.Fprintf(tw, "NOTE: %s\n", c.ProviderNote)
	}
	fmt.Fprintln(tw, "\nAGENT\tID\tPROVIDER\tMODEL\tTEMP\tMAX TOKENS\tTIMEOUT\tFROM")
	for _, a := range c.Agents {
		c.describeAgent(tw, a)
	}
	fmt.Fprintln(tw, "\nPROVIDER\tENDPOINT\tCREDENTIALS")
	for _, p := range c.providersInUse() {
		endpoint, creds := c.endpoint(p)
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p, endpoint, creds)
	}
	fmt.Fprintln(tw)
	c.describeOffer(tw)
	fmt.Fprintln(tw)
	c.describeServer(tw)
	return tw.Flush()
}

// describeOffer says what a saved council may choose: the providers on
// offer and their allowed models.
func (c *Config) describeOffer(w io.Writer) {
	fmt.Fprintln(w, "SAVED COUNCILS MAY USE	MODELS	FROM")
	for _, p := range c.Offered {
		models, from := "any", "no allow-list"
		if list, ok := c.AllowedModels[p]; ok {
			models, from = strings.Join(list, ", "), c.Sources["allowed_models."+p]
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", p, models, from)
	}
	for _, p := range Providers {
		if list, ok := c.AllowedModels[p]; ok && len(list) == 0 {
			fmt.Fprintf(w, "%s\tnone: not offered\t%s\n", p, c.Sources["allowed_models."+p])
		}
	}
	fmt.Fprintln(w, "(magi councils list: the saved councils)")
}

func (c *Config) describeAgent(w io.Writer, a magi.Agent) {
	temp, maxTok := "model default", "provider default"
	if a.Temperature != nil {
		temp = strconv.FormatFloat(*a.Temperature, 'g', -1, 64)
	}
	if a.MaxTokens > 0 {
		maxTok = strconv.Itoa(a.MaxTokens)
	}
	id := string(a.ID)
	from := c.Sources[id+".provider"]
	if m := c.Sources[id+".model"]; m != from {
		from = "provider: " + from + "; model: " + m
	}
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%v\t%s\n", a.Name, a.ID, a.Provider, a.Model, temp, maxTok, a.Timeout, from)
	for i, f := range a.Fallbacks {
		fmt.Fprintf(w, "  fallback %d\t\t%s\t%s\t\t\t\t%s\n", i+1, f.Provider, f.Model, c.Sources[id+".fallbacks"])
	}
	if src := c.Sources[id+".persona"]; src != "" && src != "built-in" {
		fmt.Fprintf(w, "  persona\t\t\tcustom\t\t\t\t%s\n", src)
	}
}

// providersInUse lists the providers of the agents and their fallbacks.
func (c *Config) providersInUse() []string {
	var ps []string
	for _, a := range c.Agents {
		ps = append(ps, a.Provider)
		for _, f := range a.Fallbacks {
			ps = append(ps, f.Provider)
		}
	}
	slices.Sort(ps)
	return slices.Compact(ps)
}

// endpoint says where a provider's calls go and which credentials they
// use, masked.
func (c *Config) endpoint(p string) (endpoint, creds string) {
	switch p {
	case ProviderOpenAI:
		return orDefault(redactURL(c.OpenAI.BaseURL), "https://api.openai.com/v1 (default)"), "OPENAI_API_KEY " + MaskSecret(c.OpenAI.APIKey)
	case ProviderAnthropic:
		return orDefault(redactURL(c.Anthropic.BaseURL), "https://api.anthropic.com (default)"), "ANTHROPIC_API_KEY " + MaskSecret(c.Anthropic.APIKey)
	case ProviderBedrock:
		region := "region not set: set AWS_REGION"
		if c.Bedrock.Region != "" {
			region = "region " + c.Bedrock.Region
		}
		return region, "AWS credential chain, profile " + orDefault(c.Bedrock.Profile, "default")
	case ProviderSim:
		return "built in, no network", "none"
	}
	return "unknown", "unknown"
}

func (c *Config) describeServer(w io.Writer) {
	db := orDefault(redactURL(c.DB), "default SQLite path")
	fmt.Fprintf(w, "addr\t%s\t(%s)\n", c.Addr, c.Sources["addr"])
	fmt.Fprintf(w, "db\t%s\t(%s)\n", db, c.Sources["db"])
	fmt.Fprintf(w, "rule\t%s\t(%s)\n", c.Rule, c.Sources["rule"])
	fmt.Fprintf(w, "rounds\t%d\t(%s)\n", c.Rounds, c.Sources["rounds"])
	fmt.Fprintf(w, "follow-up context bytes\t%d\t(%s)\n", c.ContextBytes, c.Sources["context_bytes"])
	fmt.Fprintf(w, "max question bytes\t%d\t(%s)\n", c.MaxQuestionBytes, c.Sources["max_question_bytes"])
	fmt.Fprintf(w, "max running\t%d\t(%s)\n", c.MaxRunning, c.Sources["max_running"])
	fmt.Fprintf(w, "running per key\t%s\t(%s)\n", c.describeShare(), c.Sources["quota_concurrent"])
	fmt.Fprintf(w, "shutdown grace\t%v\t(%s)\n", c.ShutdownGrace, c.Sources["shutdown_grace"])
	fmt.Fprintf(w, "body timeout\t%v\t(%s)\n", c.BodyTimeout, c.Sources["body_timeout"])
	fmt.Fprintf(w, "stream write timeout\t%v\t(%s)\n", c.StreamWriteTimeout, c.Sources["stream_write_timeout"])
	fmt.Fprintf(w, "streams per key\t%s\t(%s)\n", orUnlimited(c.StreamsPerKey), c.Sources["streams_per_key"])
	fmt.Fprintf(w, "streams per address\t%s\t(%s)\n", orUnlimited(c.StreamsPerAddr), c.Sources["streams_per_addr"])
	fmt.Fprintf(w, "log level\t%v\t(%s)\n", c.LogLevel, c.Sources["log_level"])
	fmt.Fprintf(w, "cors origins\t%s\t\n", orDefault(strings.Join(c.CORSOrigins, ", "), "same origin only"))
	if c.Simulated() {
		fmt.Fprintf(w, "sim pace\t%v\t(%s)\n", c.SimPace, c.Sources["sim_pace"])
	}
	c.describeOIDC(w)
}

// orUnlimited is n, or "unlimited" for 0.
func orUnlimited(n int) string {
	if n == 0 {
		return "unlimited"
	}
	return strconv.Itoa(n)
}

// describeShare says how many deliberations one API key may run at once.
func (c *Config) describeShare() string {
	switch {
	case c.QuotaConcurrent == 0:
		return "unlimited"
	case c.QuotaConcurrentShare != 0:
		return fmt.Sprintf("%d (%d%% of max running)", c.QuotaConcurrent, c.QuotaConcurrentShare)
	}
	return strconv.Itoa(c.QuotaConcurrent)
}

// MaskSecret hides a secret for display, keeping only a well-known
// non-secret prefix: "sk-proj-abc…" becomes "sk-proj-***", anything else
// "***", and an empty secret "(not set)".
func MaskSecret(s string) string {
	if s == "" {
		return "(not set)"
	}
	for _, p := range []string{"sk-ant-", "sk-proj-", "sk-or-", "sk-"} {
		if strings.HasPrefix(s, p) {
			return p + "***"
		}
	}
	return "***"
}

// redactURL hides the credentials of a URL (magi.Redact: a password, an
// api-key or token query parameter); a value that does not parse is hidden
// whole, since it might be a secret.
func redactURL(s string) string {
	if s == "" {
		return ""
	}
	if _, err := url.Parse(s); err != nil {
		return "(set, not shown)"
	}
	return magi.Redact(s)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
