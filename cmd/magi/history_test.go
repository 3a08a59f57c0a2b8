package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/await"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/magitest"
)

// TestCLI_History: deliberations made by `magi ask` are listed, shown,
// replayed, exported and removed by the history commands.
func TestCLI_History(t *testing.T) {
	t.Parallel()
	env := simEnv(t)
	questions := []string{"Should we adopt a four-day work week?", "Should we move to the cloud?", "Should we hire?"}
	for _, q := range questions[:2] {
		checkPlainAsk(t, magitest.MustRun(t, env, "ask", q))
	}
	var rec magi.Record
	if err := json.Unmarshal([]byte(magitest.MustRun(t, env, "ask", "--json", questions[2]).Stdout), &rec); err != nil {
		t.Fatalf("magi ask --json: %v", err)
	}
	ids := checkHistory(t, env, questions)
	if ids[0] != rec.ID {
		t.Fatalf("the newest deliberation is %s, magi ask --json said %s", ids[0], rec.ID)
	}
	checkAskJSON(t, env, rec)
	id := ids[2]
	full := checkShow(t, env, id, questions[0])
	checkReplay(t, env, full)
	checkExport(t, env, full)

	if out := magitest.MustRun(t, env, "rm", id).Stdout; !strings.Contains(out, id) {
		t.Errorf("magi rm says %q", out)
	}
	r := magitest.Run(t, env, "show", id)
	if r.Code == 0 || !strings.Contains(r.Stderr, "not found") {
		t.Errorf("magi show after rm: exit %d, stderr %q; want not found, non-zero", r.Code, r.Stderr)
	}
	if strings.Contains(magitest.MustRun(t, env, "history").Stdout, id) {
		t.Errorf("magi history still lists %s after rm", id)
	}
	for _, cmd := range [][]string{{"show"}, {"show", "--json"}, {"replay", "--fast"}, {"export"}, {"export", "--format", "json"}, {"rm"}} {
		r := magitest.Run(t, env, append(cmd, "01nosuchdeliberation")...)
		if r.Code == 0 || !strings.Contains(r.Stderr, "not found") || r.Stdout != "" {
			t.Errorf("magi %s of an unknown id: exit %d, stdout %q, stderr %q; want not found, non-zero",
				strings.Join(cmd, " "), r.Code, r.Stdout, r.Stderr)
		}
	}
}

// checkPlainAsk checks the output of `magi ask` into a pipe: plain text,
// labelled simulated, with the decision.
func checkPlainAsk(t *testing.T, r magitest.Result) {
	t.Helper()
	noESC(t, "magi ask into a pipe", r.Stdout)
	if !strings.Contains(r.Stdout, "SIMULATED") {
		t.Errorf("magi ask with the sim provider does not say SIMULATED:\n%s", r.Stdout)
	}
	if !regexp.MustCompile(`MAGI DECISION \(SIMULATED\)\s+\S+ (APPROVED|REJECTED|CONDITIONAL)`).MatchString(r.Stdout) {
		t.Errorf("magi ask shows no decision:\n%s", r.Stdout)
	}
}

// idLine matches a row of `magi history`: the id, then the rest.
var idLine = regexp.MustCompile(`(?m)^([0-9a-z]{26})\s+(.*)$`)

// checkHistory checks `magi history` lists the questions newest first, and
// that pages of one follow the printed cursor; it returns the ids, newest
// first.
func checkHistory(t *testing.T, env map[string]string, questions []string) []string {
	t.Helper()
	out := magitest.MustRun(t, env, "history").Stdout
	rows := idLine.FindAllStringSubmatch(out, -1)
	if len(rows) != len(questions) {
		t.Fatalf("magi history lists %d deliberations, want %d:\n%s", len(rows), len(questions), out)
	}
	var ids []string
	for i, row := range rows {
		q := questions[len(questions)-1-i]
		if !strings.Contains(row[2], "completed") || !strings.Contains(row[2], "[sim] "+q) {
			t.Errorf("history row %d is %q, want %q completed", i, row[0], q)
		}
		ids = append(ids, row[1])
	}
	var paged []string
	cursor := regexp.MustCompile(`magi history --cursor (\S+)`)
	args := []string{"history", "-n", "1"}
	for range len(questions) + 1 {
		page := magitest.MustRun(t, env, args...).Stdout
		for _, row := range idLine.FindAllStringSubmatch(page, -1) {
			paged = append(paged, row[1])
		}
		m := cursor.FindStringSubmatch(page)
		if m == nil {
			break
		}
		args = []string{"history", "-n", "1", "--cursor", m[1]}
	}
	if d := cmp.Diff(ids, paged); d != "" {
		t.Errorf("pages of one differ from the whole history (-whole +paged):\n%s", d)
	}
	return ids
}

// checkAskJSON checks `magi ask --json` printed the document that
// GET /api/deliberations/{id} serves.
func checkAskJSON(t *testing.T, env map[string]string, rec magi.Record) {
	t.Helper()
	srv := magitest.StartServe(t, env)
	if d := cmp.Diff(magitest.Record(t, srv.URL, rec.ID), rec); d != "" {
		t.Errorf("magi ask --json differs from GET /api/deliberations/{id} (-GET +ask):\n%s", d)
	}
	if rec.Status != magi.StatusCompleted || !rec.Simulated || len(rec.Agents) != 4 {
		t.Errorf("magi ask --json: status %s, simulated %v, %d agents", rec.Status, rec.Simulated, len(rec.Agents))
	}
}

// checkShow checks `magi show` and `magi show --json` of id, and returns
// the record.
func checkShow(t *testing.T, env map[string]string, id, question string) magi.Record {
	t.Helper()
	var rec magi.Record
	if err := json.Unmarshal([]byte(magitest.MustRun(t, env, "show", "--json", id).Stdout), &rec); err != nil {
		t.Fatalf("magi show --json: %v", err)
	}
	if rec.ID != id || rec.Question != question || rec.Status != magi.StatusCompleted || !rec.Simulated || len(rec.Agents) != 4 || rec.Decision == "" {
		t.Errorf("magi show --json: id %s, question %q, status %s, simulated %v, %d agents, decision %q",
			rec.ID, rec.Question, rec.Status, rec.Simulated, len(rec.Agents), rec.Decision)
	}
	out := magitest.MustRun(t, env, "show", id).Stdout
	noESC(t, "magi show", out)
	want := []string{question, "Decision: ", string(rec.Decision)}
	for _, a := range rec.Agents {
		want = append(want, "## "+a.Name, "**Verdict:** ")
		if a.Verdict != nil {
			want = append(want, string(a.Verdict.Decision))
		}
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("magi show lacks %q:\n%s", w, out)
		}
	}
	return rec
}

// checkReplay checks `magi replay --fast` shows the texts and decision at
// once, and `magi replay` takes about the deliberation's own time.
func checkReplay(t *testing.T, env map[string]string, rec magi.Record) {
	t.Helper()
	fast := magitest.MustRun(t, env, "replay", "--fast", rec.ID)
	noESC(t, "magi replay --fast into a pipe", fast.Stdout)
	flat := strings.Join(strings.Fields(fast.Stdout), " ")
	for _, a := range rec.Agents {
		words := strings.Fields(reasoning(a.Text))
		if !strings.Contains(flat, a.Name) || len(words) < 4 || !strings.Contains(flat, strings.Join(words[:4], " ")) {
			t.Errorf("magi replay --fast lacks %s or the start of its text %q", a.Name, strings.Join(words[:min(4, len(words))], " "))
		}
	}
	if !strings.Contains(flat, "MAGI DECISION (SIMULATED)") || !strings.Contains(flat, string(rec.Decision)) {
		t.Errorf("magi replay --fast lacks the decision %s", rec.Decision)
	}
	span := time.Duration(rec.DurationMS) * time.Millisecond
	if paced := magitest.MustRun(t, env, "replay", rec.ID); paced.Took < span*8/10 {
		t.Errorf("magi replay took %v, the deliberation %v: not at the original pace", paced.Took, span)
	} else if paced.Stdout != fast.Stdout {
		t.Errorf("magi replay and magi replay --fast print different text")
	}
}

// checkExport checks the Markdown and JSON exports of rec.
func checkExport(t *testing.T, env map[string]string, rec magi.Record) {
	t.Helper()
	md := magitest.MustRun(t, env, "export", rec.ID, "--format", "md").Stdout
	want := []string{rec.Question, "## SOLOMON", "Decision: ", string(rec.Decision), "## Usage", "| **total** |"}
	for _, a := range rec.Agents {
		want = append(want, "## "+a.Name, reasoning(a.Text), "| "+a.Name+" | ")
		if a.Verdict != nil {
			want = append(want, string(a.Verdict.Decision))
		}
	}
	for _, w := range want {
		if !strings.Contains(md, w) {
			t.Errorf("magi export --format md lacks %q", w)
		}
	}
	var got magi.Record
	if err := json.Unmarshal([]byte(magitest.MustRun(t, env, "export", rec.ID, "--format", "json").Stdout), &got); err != nil {
		t.Fatalf("magi export --format json: %v", err)
	}
	if d := cmp.Diff(rec, got); d != "" {
		t.Errorf("magi export --format json differs from magi show --json:\n%s", d)
	}
}

// reasoning is the first line of prose of an agent's text: not a label
// like the simulated banner, not the verdict's JSON.
func reasoning(text string) string {
	for _, line := range strings.Split(text, "\n") {
		if len(line) > 40 && !strings.HasPrefix(line, "[") && !strings.HasPrefix(line, "{") {
			return line
		}
	}
	return text
}

// TestCLI_AskUpstreamRefused: `magi ask` against a model server that is not
// there fails, and stderr names the URL and the cause even when stdout
// goes to a pipe.
func TestCLI_AskUpstreamRefused(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/v1"
	ln.Close()
	env := fakeEnv(magitest.Env(t), url)
	r := magitest.Run(t, env, "ask", "Is anyone there?")
	if r.Code == 0 || !strings.Contains(r.Stderr, url) || !strings.Contains(r.Stderr, "connection refused") {
		t.Errorf("magi ask with nothing at %s: exit %d, stderr %q; want non-zero and the URL and \"connection refused\"", url, r.Code, r.Stderr)
	}
	rec := onlyRecord(t, env)
	if rec.Status != magi.StatusFailed || rec.Decision != "" {
		t.Errorf("the record is %s with decision %q, want failed with none", rec.Status, rec.Decision)
	}
}

// waitStreaming waits until the three sages stream into out.
func waitStreaming(t *testing.T, fake *fakellm.Server, out *magitest.Buffer) {
	t.Helper()
	if !await.Until(15*time.Second, func() bool { return fake.Open() >= 3 && strings.Count(out.String(), "\n") >= 10 }) {
		t.Fatalf("the sages never streamed: %d open calls\noutput:\n%s", fake.Open(), out)
	}
}

// onlyRecord is the record of the one deliberation in env's database.
func onlyRecord(t *testing.T, env map[string]string) magi.Record {
	t.Helper()
	rows := idLine.FindAllStringSubmatch(magitest.MustRun(t, env, "history").Stdout, -1)
	if len(rows) != 1 {
		t.Fatalf("magi history lists %d deliberations, want 1", len(rows))
	}
	var rec magi.Record
	if err := json.Unmarshal([]byte(magitest.MustRun(t, env, "show", "--json", rows[0][1]).Stdout), &rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestCLI_AskInterrupt: Ctrl-C during `magi ask` stops it within 2 s, the
// record is cancelled and the model calls are closed.
func TestCLI_AskInterrupt(t *testing.T) {
	t.Parallel()
	fake, up := magitest.StartFake(t, fakellm.Config{Words: 1000, Gap: 20 * time.Millisecond})
	env := fakeEnv(magitest.Env(t), up)
	ask := magitest.Start(t, env, "ask", "Can this be stopped?")
	waitStreaming(t, fake, ask.Stdout)
	ask.Signal(t, os.Interrupt)
	sent := time.Now()
	if !ask.Wait(10 * time.Second) {
		t.Fatalf("magi ask still runs 10 s after SIGINT\nstdout:\n%s", ask.Stdout)
	}
	if took := time.Since(sent); took > 2*time.Second {
		t.Errorf("magi ask exited %v after SIGINT, want < 2s", took)
	}
	if code := ask.ExitCode(); code == 0 {
		t.Errorf("magi ask exited 0 after SIGINT, want non-zero")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if err := fake.WaitIdle(ctx); err != nil {
		t.Errorf("%d upstream calls still open after magi ask exited", fake.Open())
	}
	for _, c := range fake.Calls() {
		if c.Outcome != fakellm.ClientGone {
			t.Errorf("upstream call %d (%s) ended %s, want client_gone", c.Request.N, c.Request.Agent, c.Outcome)
		}
	}
	if rec := onlyRecord(t, env); rec.Status != magi.StatusCancelled {
		t.Errorf("the record is %s after Ctrl-C, want cancelled", rec.Status)
	}
}
