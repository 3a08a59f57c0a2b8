package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/magi-system/magi"
)

// layers checks the file's defaults and agents and returns them as
// layers, defaults first, then the agents in council order.
func (f *agentsFile) layers(probs *problems) []layer {
	if f == nil {
		return nil
	}
	src := func(p string) string { return f.path + ": " + p }
	out := []layer{{s: f.set.Defaults, who: "defaults", path: []string{"defaults"}, src: src("defaults")}}
	f.check(out[0], probs)
	for _, id := range sortedKeys(f.set.Agents) {
		if !slices.Contains(magi.Members, magi.AgentID(id)) {
			probs.add(f.at(fmt.Sprintf("agent %q: ", id), "unknown agent: use one of "+memberList(), "agents", id))
		}
	}
	for _, id := range magi.Members {
		s, ok := f.set.Agents[string(id)]
		if !ok {
			continue
		}
		l := layer{s: s, who: fmt.Sprintf("agent %q", id), path: []string{"agents", string(id)}, src: src("agents." + string(id)), agent: true}
		f.check(l, probs)
		out = append(out, l)
	}
	return out
}

func memberList() string {
	ids := make([]string, len(magi.Members))
	for i, id := range magi.Members {
		ids[i] = string(id)
	}
	return strings.Join(ids, ", ")
}

// check adds a problem for each bad value of one layer, naming the file,
// the line, the agent, the field and the fix. A council's values are
// also held to its limits (limits.go).
func (f *agentsFile) check(l layer, probs *problems) {
	s := l.s
	bad := func(key, msg string, args ...any) {
		if f.misread(append(slices.Clone(l.path), key)...) {
			return
		}
		probs.add(f.at(l.who+": ", fmt.Sprintf(msg, args...), append(slices.Clone(l.path), key)...))
	}
	if s.Provider != nil {
		if err := checkProvider(*s.Provider); err != nil {
			bad("provider", "%v", err)
		}
	}
	if s.Model != nil && strings.TrimSpace(*s.Model) == "" {
		bad("model", "model is empty: set it to a model id of the provider, like llama3.2 or claude-sonnet-4-5")
	}
	if s.Persona != nil && !l.agent {
		bad("persona", "persona is per agent: move it under agents.<id>")
	} else if s.Persona != nil && strings.TrimSpace(*s.Persona) == "" {
		bad("persona", "persona is empty: write one, or remove the key to keep the built-in persona")
	}
	if t := s.Temperature; t != nil && (*t < 0 || *t > maxTemperature) {
		bad("temperature", "temperature %g is out of range: use 0 to 2", *t)
	}
	if m := s.MaxTokens; m != nil && (*m < 1 || *m > maxMaxTokens) {
		bad("max_tokens", "max_tokens %d is out of range: use 1 to %d", *m, maxMaxTokens)
	}
	if d := s.Timeout; d != nil && (time.Duration(*d) < minTimeout || time.Duration(*d) > maxTimeout) {
		bad("timeout", "timeout %v is out of range: use 1s to 1h, like 90s", time.Duration(*d))
	}
	for i, r := range s.Fallbacks {
		if f.misread(append(slices.Clone(l.path), "fallbacks")...) {
			break
		}
		at := f.at(fmt.Sprintf("%s: fallbacks[%d]: ", l.who, i), "", append(slices.Clone(l.path), "fallbacks")...)
		at.field += fmt.Sprintf("[%d]", i)
		if err := checkProvider(r.Provider); err != nil {
			at.msg = err.Error()
			probs.add(at)
		} else if r.Model == "" && r.Provider != ProviderSim {
			at.msg = fmt.Sprintf("model is empty: give the %s model to fall back to, like {provider: %s, model: <id>}", r.Provider, r.Provider)
			probs.add(at)
		}
	}
	if f.council {
		f.checkLimits(l, probs)
	}
}

// checkPrices adds a problem for each price that is missing or negative.
func (f *agentsFile) checkPrices(probs *problems) {
	if f == nil {
		return
	}
	for _, model := range sortedKeys(f.cfg.Prices) {
		p := f.cfg.Prices[model]
		for _, v := range []struct {
			name string
			val  *float64
		}{{"input", p.Input}, {"output", p.Output}} {
			if (v.val == nil || *v.val < 0) && !f.misread("prices", model) {
				probs.add(f.at(fmt.Sprintf("prices %q: ", model), v.name+" must be set and not negative, in USD per million tokens, like {input: 0.15, output: 0.6}", "prices", model))
			}
		}
	}
}

// mergePrices lays the file's prices over the built-in ones.
func (f *agentsFile) mergePrices(prices map[string]Price) {
	if f == nil {
		return
	}
	for model, p := range f.cfg.Prices {
		prices[strings.ToLower(model)] = Price{InputPerMTok: *p.Input, OutputPerMTok: *p.Output}
	}
}
