package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/magitest"
	"github.com/magi-system/magi/internal/pgtest"
)

// TestServe_CrashSafety: a `magi serve` killed with SIGKILL mid-deliberation
// loses nothing a client saw; the next start marks the deliberation
// interrupted and its stream replays every stored event, then ends with a
// fatal `interrupted` error.
func TestServe_CrashSafety(t *testing.T) {
	t.Parallel()
	_, up := magitest.StartFake(t, fakellm.Config{Words: 400, Gap: 20 * time.Millisecond})
	env := fakeEnv(magitest.Env(t), up)
	a := magitest.StartServe(t, env)
	s := magitest.Ask(magitest.Context(t, 30*time.Second), t, a.URL, "Will this survive a crash?")
	seen := s.Until(t, chunks(20))
	id := seen[0].Event.DeliberationID
	a.Kill(t)
	for { // what was already on its way to the client when the process died
		ev, err := s.Next()
		if err != nil {
			break
		}
		seen = append(seen, ev)
	}
	magitest.CheckSeq(t, seen)
	if magitest.Last(t, seen).Terminal() {
		t.Fatalf("the deliberation ended before the kill: %s", seen[len(seen)-1].Data)
	}

	b := magitest.StartServe(t, env)
	if rec := magitest.Record(t, b.URL, id); rec.Status != magi.StatusInterrupted {
		t.Errorf("after the restart the record's status is %s, want interrupted", rec.Status)
	}
	replay := magitest.Events(magitest.Context(t, 10*time.Second), t, b.URL, id, "").All(t)
	magitest.CheckSeq(t, replay)
	if end := magitest.Last(t, replay); !isInterrupted(end) {
		t.Errorf("the replayed stream ends with %s, want a fatal error `interrupted`", replay[len(replay)-1].Data)
	}
	if len(replay) < len(seen)+1 {
		t.Fatalf("the replay has %d events, the client saw %d before the kill", len(replay), len(seen))
	}
	if d := cmp.Diff(magitest.Datas(seen), magitest.Datas(replay[:len(seen)])); d != "" {
		t.Errorf("events the client saw differ from the stored ones (-seen +stored):\n%s", d)
	}
	checkCLIStatus(t, env, id, magi.StatusInterrupted)
}

// checkCLIStatus checks `magi history` and `magi show` report the status
// of id.
func checkCLIStatus(t *testing.T, env map[string]string, id string, want magi.Status) {
	t.Helper()
	h := magitest.MustRun(t, env, "history")
	if line := lineWith(h.Stdout, id); !strings.Contains(line, string(want)) {
		t.Errorf("magi history shows %q for %s, want status %s:\n%s", line, id, want, h.Stdout)
	}
	if out := magitest.MustRun(t, env, "show", id).Stdout; !strings.Contains(out, "**Status:** "+string(want)) {
		t.Errorf("magi show %s does not say %s:\n%s", id, want, out)
	}
	var rec magi.Record
	if err := json.Unmarshal([]byte(magitest.MustRun(t, env, "show", "--json", id).Stdout), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Status != want || rec.Error == nil || rec.Error.Code != string(want) {
		t.Errorf("magi show --json: status %s, error %+v; want %s", rec.Status, rec.Error, want)
	}
}

// lineWith is the first line of out containing s, "" if none.
func lineWith(out, s string) string {
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, s) {
			return line
		}
	}
	return ""
}

// scaleOutFake answers slowly enough to watch a deliberation live; a
// question with "[slow]" in it takes far longer than any test waits.
func scaleOutFake(t *testing.T) string {
	_, up := magitest.StartFake(t, fakellm.Config{Words: 150, Gap: 15 * time.Millisecond,
		Script: func(req fakellm.Request) fakellm.Reply {
			if strings.Contains(req.User, "[slow]") {
				return fakellm.Reply{Gap: 200 * time.Millisecond}
			}
			return fakellm.Reply{}
		}})
	return up
}

// TestServe_PostgresScaleOut: two `magi serve` processes on one PostgreSQL
// database serve each other's deliberations live, resume across processes,
// and one notices the other died.
func TestServe_PostgresScaleOut(t *testing.T) {
	t.Parallel()
	env := magitest.With(fakeEnv(magitest.Env(t), scaleOutFake(t)), "MAGI_DB", pgtest.URL(t))
	a, b := magitest.StartServe(t, env), magitest.StartServe(t, env)

	t.Run("live on the other process", func(t *testing.T) {
		id := magitest.StartDeliberation(t, a.URL, "Live across processes?")
		evs := magitest.Events(magitest.Context(t, 30*time.Second), t, b.URL, id, "").All(t)
		magitest.CheckSeq(t, evs)
		end := magitest.Last(t, evs)
		if end.Type != magi.EventComplete {
			t.Fatalf("B's stream ends with %s, want complete", evs[len(evs)-1].Data)
		}
		first := evs[firstChunk(t, evs)].At
		if early := end.Timestamp.Sub(first); early < time.Second {
			t.Errorf("B's client got its first chunk only %v before A completed, want the stream live (> 1s)", early)
		}
		stored := magitest.Events(magitest.Context(t, 10*time.Second), t, a.URL, id, "").All(t)
		if d := cmp.Diff(magitest.Datas(stored), magitest.Datas(evs)); d != "" {
			t.Errorf("B's live stream differs from A's stored one (-A +B):\n%s", d)
		}
	})

	t.Run("resume on the other process", func(t *testing.T) {
		id := magitest.StartDeliberation(t, a.URL, "Resume across processes?")
		sa := magitest.Events(magitest.Context(t, 30*time.Second), t, a.URL, id, "")
		head := sa.Until(t, chunks(5))
		sa.Close()
		rest := magitest.Events(magitest.Context(t, 30*time.Second), t, b.URL, id, fmt.Sprint(len(head))).All(t)
		all := append(head, rest...)
		magitest.CheckSeq(t, all)
		if end := magitest.Last(t, all); end.Type != magi.EventComplete {
			t.Fatalf("the resumed stream ends with %s, want complete", all[len(all)-1].Data)
		}
		stored := magitest.Events(magitest.Context(t, 10*time.Second), t, b.URL, id, "").All(t)
		if d := cmp.Diff(magitest.Datas(stored), magitest.Datas(all)); d != "" {
			t.Errorf("A's first %d events + B's resume differ from the stored stream (-stored +got):\n%s", len(head), d)
		}
	})

	t.Run("owner killed", func(t *testing.T) {
		id := magitest.StartDeliberation(t, a.URL, "[slow] Who notices a crash?")
		sb := magitest.Events(magitest.Context(t, 40*time.Second), t, b.URL, id, "")
		head := sb.Until(t, chunks(3))
		a.Kill(t)
		killed := time.Now()
		rest := sb.All(t)
		took := time.Since(killed)
		t.Logf("B's stream ended %v after A was killed (recovery every %v)", took.Round(time.Millisecond), recoverInterval)
		all := append(head, rest...)
		magitest.CheckSeq(t, all)
		if end := magitest.Last(t, all); !isInterrupted(end) {
			t.Errorf("B's stream ends with %s, want a fatal error `interrupted`", all[len(all)-1].Data)
		}
		if took > recoverInterval+5*time.Second {
			t.Errorf("B's stream ended %v after the kill, want within %v", took, recoverInterval+5*time.Second)
		}
		if rec := magitest.Record(t, b.URL, id); rec.Status != magi.StatusInterrupted {
			t.Errorf("B shows status %s, want interrupted", rec.Status)
		}
	})
}

// firstChunk is the index of the first chunk event.
func firstChunk(t *testing.T, evs []magitest.Event) int {
	t.Helper()
	for i, ev := range evs {
		if ev.Event.Type == magi.EventChunk {
			return i
		}
	}
	t.Fatal("no chunk in the stream")
	return -1
}

// TestCLI_DatabaseUnavailable: with a database that cannot be opened every
// command fails, saying so and naming it, and nothing is presented as
// decided.
func TestCLI_DatabaseUnavailable(t *testing.T) {
	t.Parallel()
	env := simEnv(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	garbage := filepath.Join(dir, "garbage.db")
	junk := bytes.Repeat([]byte("this is not an SQLite database\n"), 200)
	if err := os.WriteFile(file, []byte("a regular file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(garbage, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	says := regexp.MustCompile(`database at .* (is unavailable|cannot)|cannot create the directory of the database`)
	for _, db := range []string{filepath.Join(file, "magi.db"), garbage} {
		for _, args := range [][]string{{"ask", "Is the database there?"}, {"serve", "--addr", "127.0.0.1:0"}, {"history"}, {"show", "01x"}} {
			r := magitest.Run(t, magitest.With(env, "MAGI_DB", db), args...)
			if r.Code == 0 || !strings.Contains(r.Stderr, db) || !says.MatchString(r.Stderr) {
				t.Errorf("magi %s with --db %s: exit %d, stderr %q; want non-zero, naming the unavailable database",
					args[0], db, r.Code, r.Stderr)
			}
			if strings.Contains(r.Stdout, "DECISION") || strings.Contains(r.Stdout, "listening") {
				t.Errorf("magi %s with --db %s went on:\n%s", args[0], db, r.Stdout)
			}
		}
	}
	if got, _ := os.ReadFile(garbage); !bytes.Equal(got, junk) {
		t.Errorf("magi wrote into a file that is not its database")
	}
}

// TestCLI_NewerSchemaRefused: a database written by a newer MAGI is
// refused at start, with a message saying so, and left as it is.
func TestCLI_NewerSchemaRefused(t *testing.T) {
	t.Parallel()
	env := simEnv(t)
	path := env["MAGI_DB"]
	magitest.MustRun(t, env, "history") // creates the database at this binary's schema
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)`); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"serve", "--addr", "127.0.0.1:0"}, {"ask", "Will an old magi refuse?"}, {"history"}} {
		r := magitest.Run(t, env, args...)
		want := fmt.Sprintf("the database at %s was written by a newer MAGI (schema 99, this binary knows", path)
		if r.Code == 0 || !strings.Contains(r.Stderr, want) || !strings.Contains(r.Stderr, "upgrade magi") {
			t.Errorf("magi %s on a schema-99 database: exit %d, stderr %q; want non-zero and %q", args[0], r.Code, r.Stderr, want)
		}
	}
	var version, rows int
	if err := db.QueryRow(`SELECT MAX(version), (SELECT COUNT(*) FROM deliberations) FROM schema_migrations`).Scan(&version, &rows); err != nil {
		t.Fatal(err)
	}
	if version != 99 || rows != 0 {
		t.Errorf("after the refusals: schema %d, %d deliberations; want 99 and 0", version, rows)
	}
}

// TestCLI_AskDatabaseLost: when the database goes away mid-deliberation,
// `magi ask` fails saying so, and presents no decision.
func TestCLI_AskDatabaseLost(t *testing.T) {
	t.Parallel()
	db := pgtest.URL(t)
	fake, up := magitest.StartFake(t, fakellm.Config{Words: 1000, Gap: 20 * time.Millisecond})
	env := magitest.With(fakeEnv(magitest.Env(t), up), "MAGI_DB", db)
	ask := magitest.Start(t, env, "ask", "What if the database goes?")
	waitStreaming(t, fake, ask.Stdout)

	dropConnections(t, db)
	lost := time.Now()
	if !ask.Wait(30 * time.Second) {
		t.Fatalf("magi ask still runs 30 s after its database went away\nstderr:\n%s", ask.Stderr)
	}
	t.Logf("magi ask ended %v after its database went away", time.Since(lost).Round(time.Millisecond))
	if code := ask.ExitCode(); code == 0 || strings.Contains(ask.Stdout.String(), "MAGI DECISION") {
		t.Errorf("magi ask exited %d and printed a decision with its database gone", code)
	}
	if !strings.Contains(ask.Stderr.String(), "magi: store_failed: the database is unavailable") {
		t.Errorf("magi ask's stderr does not say the database failed:\n%s", ask.Stderr)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if err := fake.WaitIdle(ctx); err != nil {
		t.Errorf("%d upstream calls still open after magi ask failed", fake.Open())
	}
}

// dropConnections closes every connection to the database at dbURL and
// refuses new ones until the test ends.
func dropConnections(t *testing.T, dbURL string) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	conn, err := pgx.Connect(t.Context(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, q := range []string{`ALTER DATABASE ` + pgx.Identifier{name}.Sanitize() + ` ALLOW_CONNECTIONS false`,
		`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, name)
		}
		if _, err := conn.Exec(t.Context(), q, args...); err != nil {
			t.Fatal(err)
		}
	}
}
