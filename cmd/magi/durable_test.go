package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/pgtest"
)

// TestServe_CrashSafety: a `magi serve` killed with SIGKILL mid-deliberation
// loses nothing a client saw; the next start marks the deliberation
// interrupted and its stream replays every stored event, then ends with a
// fatal `interrupted` error.
func TestServe_CrashSafety(t *testing.T) {
	t.Parallel()
	_, up := startFake(t, fakellm.Config{Words: 400, Gap: 20 * time.Millisecond})
	env := fakeEnv(cleanEnv(t), up)
	a := startServe(t, env)
	s := askStream(testCtx(t, 30*time.Second), t, a.URL, "Will this survive a crash?")
	seen := s.Until(t, chunks(20))
	id := seen[0].Event.DeliberationID
	a.kill(t)
	for { // what was already on its way to the client when the process died
		ev, err := s.Next()
		if err != nil {
			break
		}
		seen = append(seen, ev)
	}
	checkSeq(t, seen)
	if lastEvent(t, seen).Terminal() {
		t.Fatalf("the deliberation ended before the kill: %s", seen[len(seen)-1].Data)
	}

	b := startServe(t, env)
	if rec := recordOf(t, b.URL, id); rec.Status != magi.StatusInterrupted {
		t.Errorf("after the restart the record's status is %s, want interrupted", rec.Status)
	}
	replay := eventsOf(testCtx(t, 10*time.Second), t, b.URL, id, "").All(t)
	checkSeq(t, replay)
	if end := lastEvent(t, replay); !isInterrupted(end) {
		t.Errorf("the replayed stream ends with %s, want a fatal error `interrupted`", replay[len(replay)-1].Data)
	}
	if len(replay) < len(seen)+1 {
		t.Fatalf("the replay has %d events, the client saw %d before the kill", len(replay), len(seen))
	}
	if d := cmp.Diff(datas(seen), datas(replay[:len(seen)])); d != "" {
		t.Errorf("events the client saw differ from the stored ones (-seen +stored):\n%s", d)
	}
	checkCLIStatus(t, env, id, magi.StatusInterrupted)
}

// checkCLIStatus checks `magi history` and `magi show` report the status
// of id.
func checkCLIStatus(t *testing.T, env map[string]string, id string, want magi.Status) {
	t.Helper()
	h := mustMagi(t, env, "history")
	if line := lineWith(h.Stdout, id); !strings.Contains(line, string(want)) {
		t.Errorf("magi history shows %q for %s, want status %s:\n%s", line, id, want, h.Stdout)
	}
	if out := mustMagi(t, env, "show", id).Stdout; !strings.Contains(out, "**Status:** "+string(want)) {
		t.Errorf("magi show %s does not say %s:\n%s", id, want, out)
	}
	var rec magi.Record
	if err := json.Unmarshal([]byte(mustMagi(t, env, "show", "--json", id).Stdout), &rec); err != nil {
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
	_, up := startFake(t, fakellm.Config{Words: 150, Gap: 15 * time.Millisecond,
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
	env := with(fakeEnv(cleanEnv(t), scaleOutFake(t)), "MAGI_DB", pgtest.URL(t))
	a, b := startServe(t, env), startServe(t, env)

	t.Run("live on the other process", func(t *testing.T) {
		id := startDeliberation(t, a.URL, "Live across processes?")
		evs := eventsOf(testCtx(t, 30*time.Second), t, b.URL, id, "").All(t)
		checkSeq(t, evs)
		end := lastEvent(t, evs)
		if end.Type != magi.EventComplete {
			t.Fatalf("B's stream ends with %s, want complete", evs[len(evs)-1].Data)
		}
		first := evs[firstChunk(t, evs)].At
		if early := end.Timestamp.Sub(first); early < time.Second {
			t.Errorf("B's client got its first chunk only %v before A completed, want the stream live (> 1s)", early)
		}
		stored := eventsOf(testCtx(t, 10*time.Second), t, a.URL, id, "").All(t)
		if d := cmp.Diff(datas(stored), datas(evs)); d != "" {
			t.Errorf("B's live stream differs from A's stored one (-A +B):\n%s", d)
		}
	})

	t.Run("resume on the other process", func(t *testing.T) {
		id := startDeliberation(t, a.URL, "Resume across processes?")
		sa := eventsOf(testCtx(t, 30*time.Second), t, a.URL, id, "")
		head := sa.Until(t, chunks(5))
		sa.Close()
		rest := eventsOf(testCtx(t, 30*time.Second), t, b.URL, id, fmt.Sprint(len(head))).All(t)
		all := append(head, rest...)
		checkSeq(t, all)
		if end := lastEvent(t, all); end.Type != magi.EventComplete {
			t.Fatalf("the resumed stream ends with %s, want complete", all[len(all)-1].Data)
		}
		stored := eventsOf(testCtx(t, 10*time.Second), t, b.URL, id, "").All(t)
		if d := cmp.Diff(datas(stored), datas(all)); d != "" {
			t.Errorf("A's first %d events + B's resume differ from the stored stream (-stored +got):\n%s", len(head), d)
		}
	})

	t.Run("owner killed", func(t *testing.T) {
		id := startDeliberation(t, a.URL, "[slow] Who notices a crash?")
		sb := eventsOf(testCtx(t, 40*time.Second), t, b.URL, id, "")
		head := sb.Until(t, chunks(3))
		a.kill(t)
		killed := time.Now()
		rest := sb.All(t)
		took := time.Since(killed)
		t.Logf("B's stream ended %v after A was killed (recovery every %v)", took.Round(time.Millisecond), recoverInterval)
		all := append(head, rest...)
		checkSeq(t, all)
		if end := lastEvent(t, all); !isInterrupted(end) {
			t.Errorf("B's stream ends with %s, want a fatal error `interrupted`", all[len(all)-1].Data)
		}
		if took > recoverInterval+5*time.Second {
			t.Errorf("B's stream ended %v after the kill, want within %v", took, recoverInterval+5*time.Second)
		}
		if rec := recordOf(t, b.URL, id); rec.Status != magi.StatusInterrupted {
			t.Errorf("B shows status %s, want interrupted", rec.Status)
		}
	})
}

// firstChunk is the index of the first chunk event.
func firstChunk(t *testing.T, evs []sseEvent) int {
	t.Helper()
	for i, ev := range evs {
		if ev.Event.Type == magi.EventChunk {
			return i
		}
	}
	t.Fatal("no chunk in the stream")
	return -1
}
