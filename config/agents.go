package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/magi-system/magi"
)

// Bounds of the per-agent settings.
const (
	maxTemperature = 2.0
	minTimeout     = time.Second
	maxTimeout     = time.Hour
	maxMaxTokens   = 1_000_000
)

// layer is one source of agent settings: the file's defaults or one of
// its agents.
type layer struct {
	s     agentSettings
	who   string   // "defaults" or `agent "casper"`, for messages
	path  []string // where it sits in the file, for line numbers
	src   string   // "agents.yaml: agents.casper", for Sources
	agent bool
}

// loadAgents resolves the four agents through every layer, and the prices.
func (c *Config) loadAgents(args Flags, getenv func(string) string) error {
	env, err := envChoice(getenv)
	if err != nil {
		return err
	}
	if args.Provider != "" {
		if err := checkProvider(args.Provider); err != nil {
			return configError("--provider: %v", err)
		}
	}
	var f *agentsFile
	if c.ConfigPath != "" {
		if f, err = readFile(c.ConfigPath); err != nil {
			return err
		}
	}
	var probs problems
	if f != nil {
		probs = slices.Clone(f.decoded)
	}
	layers := f.layers(&probs)
	f.checkPrices(&probs)
	c.loadDeliberation(f, &probs)
	auto := false
	for _, a := range magi.DefaultAgents() {
		ch := env
		c.builtInSources(&a)
		for _, l := range layers {
			if l.agent && l.path[1] != string(a.ID) {
				continue
			}
			c.apply(&a, &ch, l, f, &probs)
		}
		c.applyFlags(&a, &ch, args, getenv)
		c.finish(&a, ch)
		auto = auto || (ch.auto && a.Provider == ProviderSim)
		c.Agents = append(c.Agents, a)
	}
	c.applyOIDC(f, &probs)
	c.loadOffer(f, getenv, &probs)
	if err := probs.err(f); err != nil {
		return err
	}
	if auto {
		c.ProviderNote = simNote
	}
	f.mergePrices(c.Prices)
	return nil
}

// builtInSources marks the settings of a that only the file can change as built-in.
func (c *Config) builtInSources(a *magi.Agent) {
	for _, k := range []string{"persona", "temperature", "max_tokens", "timeout", "fallbacks"} {
		c.Sources[string(a.ID)+"."+k] = "built-in"
	}
}

// apply lays one layer of the file over agent a.
func (c *Config) apply(a *magi.Agent, ch *choice, l layer, f *agentsFile, probs *problems) {
	s, key := l.s, func(k string) string { return string(a.ID) + "." + k }
	if s.Provider != nil {
		if *s.Provider != ch.provider && s.Model == nil && *s.Provider != ProviderSim {
			if checkProvider(*s.Provider) != nil || f.misread(append(l.path, "provider")...) {
				return // already reported
			}
			probs.add(f.at(l.who+": ", fmt.Sprintf("provider %q needs a model: add model: <id> next to it", *s.Provider), append(slices.Clone(l.path), "provider")...))
			return
		}
		if *s.Provider != ch.provider {
			ch.model, ch.modelSrc, ch.modelBy = DefaultModel(*s.Provider, c.Bedrock.Region), l.src, &l
		}
		ch.provider, ch.providerSrc, ch.auto, ch.providerBy = *s.Provider, l.src, false, &l
	}
	if s.Model != nil {
		ch.model, ch.modelSrc, ch.modelBy = *s.Model, l.src, &l
	}
	if s.Persona != nil {
		a.Persona, c.Sources[key("persona")] = withFormat(a.ID, *s.Persona), l.src
	}
	if s.Temperature != nil {
		t := *s.Temperature
		a.Temperature, c.Sources[key("temperature")] = &t, l.src
	}
	if s.MaxTokens != nil {
		a.MaxTokens, c.Sources[key("max_tokens")] = int(*s.MaxTokens), l.src
	}
	if s.Timeout != nil {
		a.Timeout, c.Sources[key("timeout")] = time.Duration(*s.Timeout), l.src
	}
	if s.Fallbacks != nil {
		a.Fallbacks, c.Sources[key("fallbacks")], ch.fallbacksBy = fallbacks(s.Fallbacks), l.src, &l
	}
}

// applyFlags lays --provider and --model over everything else. They make
// every agent use exactly that model, so fallbacks are dropped.
func (c *Config) applyFlags(a *magi.Agent, ch *choice, args Flags, getenv func(string) string) {
	if args.Provider != "" {
		if args.Provider != ch.provider {
			ch.model, ch.modelSrc = DefaultModel(args.Provider, c.Bedrock.Region), "built-in default for "+args.Provider
			if m, p := getenv("MAGI_MODEL"), getenv("MAGI_PROVIDER"); m != "" && (p == "" || p == args.Provider) && args.Provider != ProviderSim {
				ch.model, ch.modelSrc = m, "MAGI_MODEL"
			}
		}
		ch.provider, ch.providerSrc, ch.auto = args.Provider, "--provider", false
		a.Fallbacks, c.Sources[string(a.ID)+".fallbacks"] = nil, "--provider"
	}
	if args.Model != "" {
		ch.model, ch.modelSrc = args.Model, "--model"
		a.Fallbacks, c.Sources[string(a.ID)+".fallbacks"] = nil, "--model"
	}
}

// finish sets a's provider and model from the resolved choice.
func (c *Config) finish(a *magi.Agent, ch choice) {
	if ch.auto {
		ch.model, ch.modelSrc = DefaultModel(ProviderSim, ""), ch.providerSrc
	}
	a.Provider, a.Model = ch.provider, ch.model
	c.Sources[string(a.ID)+".provider"] = ch.providerSrc
	c.Sources[string(a.ID)+".model"] = ch.modelSrc
}

// fallbacks converts the file's list; a sim fallback may omit its model.
func fallbacks(refs []modelRef) []magi.ModelRef {
	out := make([]magi.ModelRef, 0, len(refs))
	for _, r := range refs {
		if r.Provider == ProviderSim && r.Model == "" {
			r.Model = DefaultModel(ProviderSim, "")
		}
		out = append(out, magi.ModelRef{Provider: r.Provider, Model: r.Model})
	}
	return out
}

// withFormat appends to a custom persona the built-in instruction for the
// closing JSON verdict, unless the persona already asks for one.
func withFormat(id magi.AgentID, persona string) string {
	if strings.Contains(persona, `"decision"`) {
		return persona
	}
	return strings.TrimRight(persona, "\n") + formatInstruction(id)
}

// formatInstruction is the last paragraph of the built-in persona of id:
// the one that asks for the closing JSON object.
func formatInstruction(id magi.AgentID) string {
	for _, a := range magi.DefaultAgents() {
		if a.ID != id {
			continue
		}
		if i := strings.LastIndex(a.Persona, "\n\n"); i >= 0 && strings.Contains(a.Persona[i:], `"decision"`) {
			return a.Persona[i:]
		}
	}
	return ""
}
