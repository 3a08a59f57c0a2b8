package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/magi-system/magi"
)

// magiCmd runs `magi args…` in process on the database db, on the
// simulated council with no pause, and returns its stdout and stderr.
func magiCmd(t *testing.T, db string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	home := t.TempDir()
	getenv := func(k string) string {
		return map[string]string{"MAGI_DB": db, "HOME": home, "MAGI_PROVIDER": "sim", "MAGI_SIM_PACE": "0",
			"MAGI_ALLOWED_MODELS_SIM": "sim-1,sim-frugal"}[k]
	}
	err := run(t.Context(), args, getenv, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const frugalYAML = `# A council that counts the cost.
rule: unanimous
rounds: 1
agents:
  melchior:
    persona: |
      You are the accountant of the council. You weigh every proposal by its cost and its payback period.
    model: sim-frugal
  casper:
    persona: You ask what it costs per year, and who pays.
    temperature: 0.2
`

// TestCouncils_CLI: save a council from a YAML file (checked first, every
// problem printed), list it, show it, ask it, delete it.
func TestCouncils_CLI(t *testing.T) {
	db := filepath.Join(t.TempDir(), "magi.db")
	out, _, err := magiCmd(t, db, "councils", "list")
	if err != nil || !strings.Contains(out, "default") || !strings.Contains(out, "No saved council yet") {
		t.Fatalf("list of none: %v\n%s", err, out)
	}

	bad := writeFile(t, "bad.yaml", "agents:\n  casper:\n    model: gpt-5\n    temperature: 7\n    base_url: http://evil.example\n  caspar: {}\nprices: {x: {input: 1, output: 1}}\n")
	_, _, err = magiCmd(t, db, "councils", "save", "frugal", bad)
	if err == nil {
		t.Fatal("save of a bad council succeeded")
	}
	for _, want := range []string{
		"the council in " + bad + " has 5 problems:",
		bad + `:3: agents.casper.model: model "gpt-5" is not allowed for sim on this server: use one of sim-1, sim-frugal`,
		bad + ":4: agents.casper.temperature: temperature 7 is out of range: use 0 to 2",
		bad + `:5: agents.casper.base_url: unknown key "base_url": a council cannot carry an address or a credential`,
		bad + `:6: agents.caspar: unknown agent`,
		bad + `:7: prices: "prices" is a setting of the server's agents file, not of a council`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q:\n%v", want, err)
		}
	}
	if out, _, _ := magiCmd(t, db, "councils", "list"); strings.Contains(out, "frugal") {
		t.Errorf("a refused council was saved:\n%s", out)
	}

	good := writeFile(t, "frugal.yaml", frugalYAML)
	out, _, err = magiCmd(t, db, "councils", "save", "frugal", good)
	if err != nil || !strings.Contains(out, "Saved the shared council frugal: sim/sim-frugal sim/sim-1 sim/sim-1 sim/sim-1") {
		t.Fatalf("save: %v\n%s", err, out)
	}
	if out, _, err := magiCmd(t, db, "councils", "save", "frugal", good); err != nil || !strings.Contains(out, "Replaced the shared council frugal") {
		t.Errorf("save again: %v\n%s", err, out)
	}
	if out, _, err := magiCmd(t, db, "councils", "list"); err != nil || !strings.Contains(out, "frugal") || !strings.Contains(out, "unanimous") {
		t.Errorf("list: %v\n%s", err, out)
	}
	out, _, err = magiCmd(t, db, "councils", "show", "frugal")
	if err != nil || !strings.Contains(out, "name: frugal") || !strings.Contains(out, "You are the accountant of the council.") || !strings.Contains(out, "model: sim-frugal") {
		t.Errorf("show: %v\n%s", err, out)
	}
	if out, _, err := magiCmd(t, db, "councils", "show", "default"); err != nil || !strings.Contains(out, "You are CASPER-3") || strings.Contains(out, "Think it through") {
		t.Errorf("show default: %v\n%s", err, out)
	}

	out, _, err = magiCmd(t, db, "ask", "--json", "--council", "frugal", "Should we buy a new printer?")
	if err != nil {
		t.Fatalf("ask --council: %v\n%s", err, out)
	}
	var rec magi.Record
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Council == nil || rec.Council.Name != "frugal" || rec.Council.Agents[0].Model != "sim-frugal" || rec.Rule != magi.Unanimous || rec.MaxRounds != 1 {
		t.Fatalf("the record of ask --council: council %+v, rule %s, rounds %d", rec.Council, rec.Rule, rec.MaxRounds)
	}
	if !strings.Contains(rec.Agents[0].Text, "You are the accountant of the council.") {
		t.Errorf("the simulated MELCHIOR does not bring its council's persona to bear:\n%s", rec.Agents[0].Text)
	}
	if out, _, _ := magiCmd(t, db, "history"); !strings.Contains(out, "frugal") {
		t.Errorf("history does not name the council:\n%s", out)
	}
	if out, _, _ := magiCmd(t, db, "show", rec.ID); !strings.Contains(out, "**Council:** frugal") {
		t.Errorf("the minutes do not name the council:\n%s", out)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ask", "--council", "nope", "q"}, `no shared council named "nope"`},
		{[]string{"ask", "--council", "frugal", "--model", "x", "q"}, "leave out --provider and --model"},
		{[]string{"councils", "rm", "default"}, "built in"},
		{[]string{"councils", "save", "default", good}, `"default" is the built-in council`},
		{[]string{"councils", "show"}, "name the council"},
		{[]string{"councils", "frob"}, "unknown councils command"},
	} {
		_, _, err := magiCmd(t, db, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("magi %s: %v, want an error saying %q", strings.Join(c.args, " "), err, c.want)
		}
	}
	if out, _, err := magiCmd(t, db, "councils", "rm", "frugal"); err != nil || !strings.Contains(out, "Deleted the shared council frugal") {
		t.Errorf("rm: %v\n%s", err, out)
	}
	if _, _, err := magiCmd(t, db, "councils", "show", "frugal"); magi.ErrorCode(err) != magi.ENOTFOUND {
		t.Errorf("show after rm: %v", err)
	}
	out, _, _ = magiCmd(t, db, "show", "--json", rec.ID)
	if !strings.Contains(out, `"name": "frugal"`) {
		t.Errorf("the record lost its council after the council's deletion:\n%s", out)
	}
}

// TestAgents_ShowsTheDefaultCouncil: magi agents is the default council,
// and says what saved councils may use.
func TestAgents_ShowsTheDefaultCouncil(t *testing.T) {
	out, _, err := magiCmd(t, filepath.Join(t.TempDir(), "magi.db"), "agents")
	if err != nil || !strings.Contains(out, "MAGI council default") || !strings.Contains(out, "sim-1, sim-frugal") {
		t.Errorf("agents: %v\n%s", err, out)
	}
}
