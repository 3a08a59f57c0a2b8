package main

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakeanthropic"
	"github.com/magi-system/magi/internal/fakebedrock"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/magitest"
)

// A council of three providers, each behind its wire-format fake, run by
// the real magi binary.

const (
	mixedAccessKey = "AKIAMIXEDTESTKEY0000"
	mixedAnthKey   = "sk-ant-mixed-test-key"
	mixedOpenAIKey = "sk-openai-mixed-test-key"
	claudeBedrock  = "anthropic.claude-3-5-sonnet-20240620-v1:0"
	novaLite       = "amazon.nova-lite-v1:0"
)

// mixedYAML is the council of the brief: two Bedrock models, a local model
// behind an OpenAI-compatible server, and Anthropic's API for SOLOMON.
const mixedYAML = `agents:
  melchior:
    provider: bedrock
    model: anthropic.claude-3-5-sonnet-20240620-v1:0
  balthasar:
    provider: bedrock
    model: amazon.nova-lite-v1:0
  casper:
    provider: openai
    model: llama3.2
  solomon:
    provider: anthropic
    model: claude-sonnet-4-5
`

// upstreams are the three fakes of a mixed council and the environment
// that points magi at them.
type upstreams struct {
	bedrock   *fakebedrock.Server
	openai    *fakellm.Server
	anthropic *fakeanthropic.Server
	env       map[string]string
	// openaiURL, anthropicURL and bedrockURL are their base URLs.
	openaiURL, anthropicURL, bedrockURL string
}

// startUpstreams serves the three fakes, each requiring its credentials,
// and returns a clean environment pointed at them.
func startUpstreams(t *testing.T, b fakebedrock.Config, o fakellm.Config, a fakeanthropic.Config) *upstreams {
	t.Helper()
	b.AccessKeyID, o.APIKey, a.APIKey = mixedAccessKey, mixedOpenAIKey, mixedAnthKey
	u := &upstreams{bedrock: fakebedrock.New(b), openai: fakellm.New(o), anthropic: fakeanthropic.New(a)}
	serve := func(h http.Handler) string {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	u.bedrockURL, u.anthropicURL, u.openaiURL = serve(u.bedrock), serve(u.anthropic), serve(u.openai)+"/v1"
	u.env = magitest.With(awsEnv(t, magitest.Env(t)),
		"AWS_ENDPOINT_URL_BEDROCK_RUNTIME", u.bedrockURL, "AWS_REGION", "us-east-1",
		"AWS_ACCESS_KEY_ID", mixedAccessKey, "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"OPENAI_BASE_URL", u.openaiURL, "OPENAI_API_KEY", mixedOpenAIKey,
		"ANTHROPIC_BASE_URL", u.anthropicURL, "ANTHROPIC_API_KEY", mixedAnthKey)
	return u
}

// awsEnv keeps the developer's AWS files and instance metadata out of env.
func awsEnv(t *testing.T, env map[string]string) map[string]string {
	dir := t.TempDir()
	return magitest.With(env, "AWS_CONFIG_FILE", filepath.Join(dir, "aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "aws-credentials"), "AWS_EC2_METADATA_DISABLED", "true")
}

// writeConfig writes an agents file and returns its path.
func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agents.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// wireUsage is the usage each fake reports for one agent, distinct per
// agent, so the record shows whose wire format it came from.
var wireUsage = map[magi.AgentID]magi.Usage{
	magi.Melchior:  {InputTokens: 1111, OutputTokens: 111},
	magi.Balthasar: {InputTokens: 2222, OutputTokens: 222},
	magi.Casper:    {InputTokens: 3333, OutputTokens: 333},
	magi.Solomon:   {InputTokens: 4444, OutputTokens: 444},
}

func usageOf(id magi.AgentID) *magi.Usage {
	u := wireUsage[id]
	return &u
}

// startMixed serves fakes that answer each agent with its wireUsage.
func startMixed(t *testing.T) *upstreams {
	return startUpstreams(t,
		fakebedrock.Config{Script: func(r fakebedrock.Request) fakebedrock.Reply {
			return fakebedrock.Reply{Usage: usageOf(r.Agent)}
		}},
		fakellm.Config{Script: func(r fakellm.Request) fakellm.Reply { return fakellm.Reply{Usage: usageOf(r.Agent)} }},
		fakeanthropic.Config{Script: func(r fakeanthropic.Request) fakeanthropic.Reply {
			return fakeanthropic.Reply{Usage: usageOf(r.Agent)}
		}})
}

// usd is the cost of an agent's wireUsage at a price per million tokens.
func usd(id magi.AgentID, in, out float64) *float64 {
	u := wireUsage[id]
	c := (float64(u.InputTokens)*in + float64(u.OutputTokens)*out) / 1e6
	return &c
}

// agentWant is what the record must say of one agent.
type agentWant struct {
	ID       magi.AgentID
	Provider string
	Model    string
	Usage    magi.Usage
}

// checkMixedRecord checks the agents, their usage and costs, and the total.
func checkMixedRecord(t *testing.T, rec magi.Record, casperCost *float64) {
	t.Helper()
	if rec.Status != magi.StatusCompleted {
		t.Fatalf("status %q, want completed (error %+v, errors %+v)", rec.Status, rec.Error, rec.Errors)
	}
	costs := map[magi.AgentID]*float64{
		magi.Melchior: usd(magi.Melchior, 3, 15), magi.Balthasar: usd(magi.Balthasar, 0.06, 0.24),
		magi.Casper: casperCost, magi.Solomon: usd(magi.Solomon, 3, 15),
	}
	models := map[magi.AgentID][2]string{magi.Melchior: {"bedrock", claudeBedrock}, magi.Balthasar: {"bedrock", novaLite},
		magi.Casper: {"openai", "llama3.2"}, magi.Solomon: {"anthropic", "claude-sonnet-4-5"}}
	var want, got []agentWant
	for _, a := range rec.Agents {
		m := models[a.ID]
		u := wireUsage[a.ID]
		u.CostUSD = costs[a.ID]
		want = append(want, agentWant{a.ID, m[0], m[1], u})
		got = append(got, agentWant{a.ID, a.Provider, a.Model, a.Usage})
		if a.Verdict == nil || a.Verdict.Decision == magi.Abstained {
			t.Errorf("%s: verdict %+v, want a vote (error %q)", a.ID, a.Verdict, a.Error)
		}
	}
	if len(rec.Agents) != 4 {
		t.Fatalf("%d agents in the record, want 4", len(rec.Agents))
	}
	approx := cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-12 })
	if diff := cmp.Diff(want, got, approx); diff != "" {
		t.Errorf("agents (-want +got):\n%s", diff)
	}
	var total magi.Usage
	for _, id := range magi.Members {
		u := wireUsage[id]
		u.CostUSD = costs[id]
		if id == magi.Melchior {
			total = u
			continue
		}
		total = total.Add(u)
	}
	if diff := cmp.Diff(total, rec.Usage, approx); diff != "" {
		t.Errorf("total usage (-want +got):\n%s", diff)
	}
}

func TestMixedCouncil_AskJSON(t *testing.T) {
	u := startMixed(t)
	cfg := writeConfig(t, mixedYAML)
	r := magitest.MustRun(t, u.env, "ask", "--json", "--config", cfg, "Should we adopt a four-day week?")
	var rec magi.Record
	if err := json.Unmarshal([]byte(r.Stdout), &rec); err != nil {
		t.Fatalf("record: %v\n%s", err, r.Stdout)
	}
	checkMixedRecord(t, rec, nil)
	if !strings.Contains(r.Stdout, `"cost_usd": null`) {
		t.Errorf("the JSON record does not say null for an unknown cost:\n%s", r.Stdout)
	}
	if rec.Simulated {
		t.Error("a council of real providers is marked simulated")
	}
	if n := u.bedrock.Requests(); n != 2 {
		t.Errorf("bedrock got %d calls, want 2 (MELCHIOR, BALTHASAR)", n)
	}
	if n := u.anthropic.Requests(); n != 1 {
		t.Errorf("anthropic got %d calls, want 1 (SOLOMON)", n)
	}
}

func TestMixedCouncil_PricedLocalModel(t *testing.T) {
	u := startMixed(t)
	cfg := writeConfig(t, mixedYAML+"prices:\n  llama3.2: {input: 1, output: 2}\n")
	r := magitest.MustRun(t, u.env, "ask", "--json", "--config", cfg, "Should we adopt a four-day week?")
	var rec magi.Record
	if err := json.Unmarshal([]byte(r.Stdout), &rec); err != nil {
		t.Fatalf("record: %v\n%s", err, r.Stdout)
	}
	checkMixedRecord(t, rec, usd(magi.Casper, 1, 2))
	if rec.Usage.CostUSD == nil || *rec.Usage.CostUSD <= 0 {
		t.Errorf("total cost %v, want a positive number once every model is priced", rec.Usage.CostUSD)
	}
}

func TestMixedCouncil_PlainOutputShowsCosts(t *testing.T) {
	u := startMixed(t)
	cfg := writeConfig(t, mixedYAML)
	r := magitest.MustRun(t, u.env, "ask", "--config", cfg, "Should we adopt a four-day week?")
	noESC(t, "piped output", r.Stdout)
	lines := map[string]string{}
	for _, l := range strings.Split(r.Stdout, "\n") {
		for _, name := range []string{"MELCHIOR-1", "BALTHASAR-2", "CASPER-3", "SOLOMON", "total"} {
			if strings.Contains(l, name) && strings.Contains(l, " in / ") {
				lines[name] = l
			}
		}
	}
	want := map[string]string{
		"MELCHIOR-1":  "$" + strconv.FormatFloat(*usd(magi.Melchior, 3, 15), 'f', 4, 64),
		"BALTHASAR-2": "$" + strconv.FormatFloat(*usd(magi.Balthasar, 0.06, 0.24), 'f', 4, 64),
		"CASPER-3":    "unknown", "SOLOMON": "$" + strconv.FormatFloat(*usd(magi.Solomon, 3, 15), 'f', 4, 64),
		"total": "unknown",
	}
	for name, cost := range want {
		if !strings.Contains(lines[name], cost) {
			t.Errorf("usage line of %s = %q, want it to show %s\noutput:\n%s", name, lines[name], cost, r.Stdout)
		}
	}
	if !strings.Contains(lines["CASPER-3"], "3,333 in / 333 out") {
		t.Errorf("CASPER-3 line %q lacks its tokens", lines["CASPER-3"])
	}
}

func TestMixedCouncil_ServeRecordAndMetrics(t *testing.T) {
	u := startMixed(t)
	env := magitest.With(u.env, "MAGI_CONFIG", writeConfig(t, mixedYAML))
	p := magitest.StartServe(t, env)
	evs := magitest.Ask(magitest.Context(t, 30*time.Second), t, p.URL, "Should we adopt a four-day week?").All(t)
	last := magitest.Last(t, evs)
	if last.Type != magi.EventComplete {
		t.Fatalf("stream ended with %s %s: %s", last.Type, last.Code, last.Message)
	}
	start := evs[0].Event
	var infos []string
	for _, a := range start.Agents {
		infos = append(infos, string(a.ID)+"="+a.Provider+"/"+a.Model)
	}
	wantInfos := []string{"melchior=bedrock/" + claudeBedrock, "balthasar=bedrock/" + novaLite, "casper=openai/llama3.2", "solomon=anthropic/claude-sonnet-4-5"}
	if diff := cmp.Diff(wantInfos, infos); diff != "" {
		t.Errorf("start event agents (-want +got):\n%s", diff)
	}
	checkMixedRecord(t, magitest.Record(t, p.URL, last.DeliberationID), nil)

	metrics := string(magitest.DoJSON(t, http.MethodGet, p.URL+"/metrics", "", http.StatusOK, nil))
	for _, id := range []magi.AgentID{magi.Melchior, magi.Balthasar, magi.Solomon} {
		v, ok := metricValue(metrics, `magi_cost_usd_total{agent="`+string(id)+`"}`)
		if want := *costOf(id); !ok || math.Abs(v-want) > 1e-9 {
			t.Errorf("magi_cost_usd_total of %s = %v (found %v), want %v", id, v, ok, want)
		}
	}
	if _, ok := metricValue(metrics, `magi_cost_usd_total{agent="casper"}`); ok {
		t.Error("magi_cost_usd_total counts CASPER, whose price is unknown")
	}
}

// costOf is the cost of an agent of the mixed council at built-in prices.
func costOf(id magi.AgentID) *float64 {
	switch id {
	case magi.Balthasar:
		return usd(id, 0.06, 0.24)
	case magi.Casper:
		return nil
	}
	return usd(id, 3, 15)
}

// metricValue finds the sample named series in a Prometheus text page.
func metricValue(page, series string) (float64, bool) {
	for _, l := range strings.Split(page, "\n") {
		if rest, ok := strings.CutPrefix(l, series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v, err == nil
		}
	}
	return 0, false
}

// fallbackYAML puts MELCHIOR on Anthropic with a local fallback, and the
// rest of the council on the local model.
// fallbackYAML runs one round: the fallback tests count the calls of one.
const fallbackYAML = `rounds: 1
defaults:
  provider: openai
  model: llama3.2
agents:
  melchior:
    provider: anthropic
    model: claude-sonnet-4-5
    fallbacks:
      - {provider: openai, model: llama3.2}
`

// melchiorScript answers MELCHIOR with rep and any other agent by default.
func melchiorScript(rep fakeanthropic.Reply) func(fakeanthropic.Request) fakeanthropic.Reply {
	return func(r fakeanthropic.Request) fakeanthropic.Reply {
		if r.Agent == magi.Melchior {
			return rep
		}
		return fakeanthropic.Reply{}
	}
}

// deliberate runs one question through `magi serve` with config and
// returns its events and record.
func deliberate(t *testing.T, u *upstreams, config string) ([]magitest.Event, magi.Record) {
	t.Helper()
	p := magitest.StartServe(t, magitest.With(u.env, "MAGI_CONFIG", writeConfig(t, config)))
	evs := magitest.Ask(magitest.Context(t, 30*time.Second), t, p.URL, "Should we adopt a four-day week?").All(t)
	last := magitest.Last(t, evs)
	if last.Type != magi.EventComplete {
		t.Fatalf("stream ended with %s %s: %s", last.Type, last.Code, last.Message)
	}
	return evs, magitest.Record(t, p.URL, last.DeliberationID)
}

// agentRecord is the record's part of agent id.
func agentRecord(t *testing.T, rec magi.Record, id magi.AgentID) magi.AgentRecord {
	t.Helper()
	for _, a := range rec.Agents {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("no %s in the record", id)
	return magi.AgentRecord{}
}

// traces are the trace events of agent id at stage.
func traces(evs []magitest.Event, id magi.AgentID, stage string) []magi.Trace {
	var out []magi.Trace
	for _, ev := range evs {
		if e := ev.Event; e.Type == magi.EventTrace && e.Agent == id && e.Stage == stage && e.Trace != nil {
			out = append(out, *e.Trace)
		}
	}
	return out
}

func TestFallback_BeforeFirstToken(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		anthCalls int // 401 is not retried, 529 is, three times in all
	}{
		{"bad key 401", http.StatusUnauthorized, 1},
		{"overloaded 529", 529, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := startUpstreams(t, fakebedrock.Config{}, fakellm.Config{},
				fakeanthropic.Config{Script: melchiorScript(fakeanthropic.Reply{Status: tt.status})})
			evs, rec := deliberate(t, u, fallbackYAML)
			m := agentRecord(t, rec, magi.Melchior)
			if m.Provider != "openai" || m.Model != "llama3.2" || m.Attempts != tt.anthCalls+1 {
				t.Errorf("MELCHIOR answered by %s/%s after %d attempts, want openai/llama3.2 after %d", m.Provider, m.Model, m.Attempts, tt.anthCalls+1)
			}
			if m.Verdict == nil || m.Verdict.Decision == magi.Abstained || !strings.Contains(m.Text, "A fake answer from melchior") {
				t.Errorf("MELCHIOR verdict %+v text %q, want the fallback's vote", m.Verdict, m.Text)
			}
			fb := traces(evs, magi.Melchior, magi.StageFallback)
			if len(fb) != 1 || fb[0].Provider != "openai" || fb[0].Model != "llama3.2" {
				t.Errorf("fallback traces %+v, want one naming openai llama3.2", fb)
			}
			if n := u.anthropic.Requests(); n != tt.anthCalls {
				t.Errorf("anthropic got %d calls, want %d", n, tt.anthCalls)
			}
		})
	}
}

func TestFallback_NeverAfterText(t *testing.T) {
	u := startUpstreams(t, fakebedrock.Config{}, fakellm.Config{}, fakeanthropic.Config{Script: melchiorScript(fakeanthropic.Reply{
		Tokens: []string{"The", " evidence", " is", " thin"}, StreamError: "overloaded_error", ErrorAfter: 2, Message: "Overloaded"})})
	evs, rec := deliberate(t, u, fallbackYAML)
	m := agentRecord(t, rec, magi.Melchior)
	if m.Provider != "anthropic" || m.Model != "claude-sonnet-4-5" {
		t.Errorf("MELCHIOR is recorded on %s/%s, want anthropic/claude-sonnet-4-5: no switch once text streamed", m.Provider, m.Model)
	}
	if m.Text != "The evidence" {
		t.Errorf("MELCHIOR text %q, want the partial text %q kept", m.Text, "The evidence")
	}
	if m.Verdict == nil || m.Verdict.Decision != magi.Abstained || !strings.Contains(m.Verdict.Reason, "overloaded") {
		t.Errorf("MELCHIOR verdict %+v, want ABSTAINED with the overloaded error", m.Verdict)
	}
	if !strings.Contains(m.Error, "anthropic model claude-sonnet-4-5") {
		t.Errorf("MELCHIOR error %q does not name the provider and model", m.Error)
	}
	if fb := traces(evs, magi.Melchior, magi.StageFallback); len(fb) != 0 {
		t.Errorf("fallback after text: %+v", fb)
	}
	for _, c := range u.openai.Calls() {
		if c.Request.Agent == magi.Melchior {
			t.Errorf("the fallback model was called for MELCHIOR after its text streamed")
		}
	}
	if n := u.anthropic.Requests(); n != 1 {
		t.Errorf("anthropic got %d calls, want 1: no retry after text", n)
	}
}
