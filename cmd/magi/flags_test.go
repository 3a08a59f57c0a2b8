package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/magitest"
)

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		wantPos   []string
		wantJSON  bool
		wantRule  string
		wantUsage bool
	}{
		{[]string{"q"}, []string{"q"}, false, "majority", false},
		{[]string{"--json", "q"}, []string{"q"}, true, "majority", false},
		{[]string{"q", "--json"}, []string{"q"}, true, "majority", false},
		{[]string{"Should", "we", "--rule", "judge", "go?", "--json"}, []string{"Should", "we", "go?"}, true, "judge", false},
		{[]string{"--json", "--", "-5 degrees: cancel?"}, []string{"-5 degrees: cancel?"}, true, "majority", false},
		{[]string{"q", "--", "--json"}, []string{"q", "--json"}, false, "majority", false},
		{[]string{"is it good", "-", "or bad"}, []string{"is it good", "-", "or bad"}, false, "majority", false},
		{[]string{"q", "--nope"}, nil, false, "majority", true},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		asJSON := fs.Bool("json", false, "")
		rule := fs.String("rule", "majority", "")
		pos, err := parseFlags(fs, tc.args)
		var usage usageError
		if tc.wantUsage != errors.As(err, &usage) {
			t.Errorf("%q: error %v, want a usage error: %v", tc.args, err, tc.wantUsage)
			continue
		}
		if tc.wantUsage {
			continue
		}
		if diff := cmp.Diff(tc.wantPos, pos); diff != "" || *asJSON != tc.wantJSON || *rule != tc.wantRule {
			t.Errorf("%q: positional (-want +got):\n%s json %v rule %s, want %v %s", tc.args, diff, *asJSON, *rule, tc.wantJSON, tc.wantRule)
		}
	}
}

// askJSON runs `magi ask args…` in process on a fresh database with the
// fast simulated council and returns the record it printed.
func askJSON(t *testing.T, args ...string) magi.Record {
	t.Helper()
	env := map[string]string{"MAGI_DB": filepath.Join(t.TempDir(), "magi.db"), "HOME": t.TempDir(),
		"MAGI_PROVIDER": "sim", "MAGI_SIM_PACE": "1ms"}
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), append([]string{"ask"}, args...), func(k string) string { return env[k] },
		strings.NewReader(""), &stdout, &stderr)
	if err != nil {
		t.Fatalf("magi ask %q: %v\n%s", args, err, stderr.String())
	}
	var rec magi.Record
	if err := json.Unmarshal(stdout.Bytes(), &rec); err != nil {
		t.Fatalf("magi ask %q printed no JSON record: %v\n%s", args, err, stdout.String())
	}
	return rec
}

func TestAsk_FlagsAfterTheQuestion(t *testing.T) {
	rec := askJSON(t, "Should we ship on Friday?", "--json", "--rule", "judge")
	if rec.Question != "Should we ship on Friday?" || rec.Rule != magi.Judge {
		t.Errorf("question %q, rule %s; want the question without the flags, rule judge", rec.Question, rec.Rule)
	}
	rec = askJSON(t, "--json", "--", "-5°C tomorrow: cancel the picnic?")
	if rec.Question != "-5°C tomorrow: cancel the picnic?" {
		t.Errorf("question after --: %q", rec.Question)
	}
}

// TestMain_UsageErrors: no command, an unknown one and a bad flag are
// reported once, with the usage, and exit 2.
func TestMain_UsageErrors(t *testing.T) {
	env := magitest.Env(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "Usage:"},
		{[]string{"frob"}, `magi: unknown command "frob"`},
		{[]string{"history", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"ask", "q", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"agents", "extra"}, "the agents command takes no arguments"},
		{[]string{"keys", "rotate"}, `unknown keys command "rotate"`},
	} {
		r := magitest.Run(t, env, tc.args...)
		if r.Code != 2 {
			t.Errorf("magi %q: exit %d, want 2", tc.args, r.Code)
		}
		if n := strings.Count(r.Stderr, tc.want); n != 1 {
			t.Errorf("magi %q: stderr says %q %d times, want once:\n%s", tc.args, tc.want, n, r.Stderr)
		}
		if r.Stdout != "" {
			t.Errorf("magi %q wrote to stdout:\n%s", tc.args, r.Stdout)
		}
	}
	if r := magitest.Run(t, env, "help"); r.Code != 0 || !strings.Contains(r.Stdout, "Usage:") {
		t.Errorf("magi help: exit %d, stdout %q; want the usage and 0", r.Code, r.Stdout)
	}
}
