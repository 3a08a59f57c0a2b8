package config

import (
	"fmt"

	"github.com/magi-system/magi"
)

// loadDeliberation reads the file's top-level defaults of a deliberation,
// `rule:` and `rounds:`, over the built-in majority rule and
// magi.DefaultRounds.
func (c *Config) loadDeliberation(f *agentsFile, probs *problems) {
	c.Rule, c.Sources["rule"] = magi.Majority, "built-in"
	c.Rounds, c.Sources["rounds"] = magi.DefaultRounds, "built-in"
	c.applyDeliberation(f, probs)
	c.loadContextBytes(f, probs)
}

// applyDeliberation lays the `rule:` and `rounds:` of f, when set, over
// c's.
func (c *Config) applyDeliberation(f *agentsFile, probs *problems) {
	if f == nil {
		return
	}
	if r := f.set.Rule; r != nil && !f.misread("rule") {
		rule, err := magi.ParseRule(*r)
		if err != nil || *r == "" {
			probs.add(f.at("", fmt.Sprintf("rule %q: use majority, unanimous or judge", *r), "rule"))
		} else {
			c.Rule, c.Sources["rule"] = rule, f.path+": rule"
		}
	}
	if n := f.set.Rounds; n != nil && !f.misread("rounds") {
		if magi.CheckRounds(int(*n)) != nil {
			probs.add(f.at("", fmt.Sprintf("rounds %d: use a number of rounds from 1 to %d (1: no debate)", *n, magi.MaxRounds), "rounds"))
		} else {
			c.Rounds, c.Sources["rounds"] = int(*n), f.path+": rounds"
		}
	}
}

// readContextBytes reads MAGI_CONTEXT_BYTES, over magi.DefaultContextBytes.
func (c *Config) readContextBytes(getenv func(string) string) error {
	var err error
	c.ContextBytes = envReader{getenv: getenv, c: c}.int("context_bytes", "MAGI_CONTEXT_BYTES", magi.DefaultContextBytes, 1, &err)
	if err == nil && magi.CheckContextBytes(c.ContextBytes) != nil {
		err = configError("MAGI_CONTEXT_BYTES=%d: use a number of bytes from %d to %d", c.ContextBytes, magi.MinContextBytes, magi.MaxContextBytes)
	}
	return err
}

// loadContextBytes reads the file's `context_bytes:`, over the
// environment's.
func (c *Config) loadContextBytes(f *agentsFile, probs *problems) {
	if f == nil {
		return
	}
	n := f.cfg.ContextBytes
	if n == nil || f.misread("context_bytes") {
		return
	}
	if magi.CheckContextBytes(*n) != nil {
		probs.add(f.at("", fmt.Sprintf("context_bytes %d: use a number of bytes from %d to %d", *n, magi.MinContextBytes, magi.MaxContextBytes), "context_bytes"))
		return
	}
	c.ContextBytes, c.Sources["context_bytes"] = *n, f.path+": context_bytes"
}
