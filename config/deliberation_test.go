package config

import (
	"strings"
	"testing"

	"github.com/magi-system/magi"
)

func TestLoad_RuleAndRoundsDefaults(t *testing.T) {
	c, err := Load(Flags{}, env())
	if err != nil {
		t.Fatal(err)
	}
	if c.Rule != magi.Majority || c.Rounds != magi.DefaultRounds || c.Sources["rounds"] != "built-in" {
		t.Errorf("built in: rule %q rounds %d (%s), want majority and %d", c.Rule, c.Rounds, c.Sources["rounds"], magi.DefaultRounds)
	}
	path := writeAgents(t, "rule: unanimous\nrounds: 3\n")
	c, err = Load(Flags{ConfigPath: path}, env())
	if err != nil {
		t.Fatal(err)
	}
	if c.Rule != magi.Unanimous || c.Rounds != 3 || c.Sources["rounds"] != path+": rounds" || c.Sources["rule"] != path+": rule" {
		t.Errorf("from the file: rule %q (%s) rounds %d (%s)", c.Rule, c.Sources["rule"], c.Rounds, c.Sources["rounds"])
	}
}

func TestConfig_DescribeShowsRuleAndRounds(t *testing.T) {
	path := writeAgents(t, "rounds: 4\n")
	c, err := Load(Flags{ConfigPath: path}, env())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := c.Describe(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"rule", "majority", "(built-in)", "rounds", "4", "(" + path + ": rounds)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("magi agents lacks %q:\n%s", want, b.String())
		}
	}
}
