package e2e

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/magitest"
)

// TestServe_TwoServersOneSQLiteFile: two `magi serve` on one SQLite file.
// A client of server B follows, live, a deliberation that server A runs:
// it gets the same stream as A's own client, to the complete event. When
// A is killed mid-deliberation, B's client sees the stream end
// `interrupted` (B marks it so once it finds A gone).
func TestServe_TwoServersOneSQLiteFile(t *testing.T) {
	_, url := magitest.StartFake(t, fakellm.Config{Words: 120, Gap: 15 * time.Millisecond})
	env := openaiEnv(url)
	env["MAGI_DB"] = filepath.Join(t.TempDir(), "shared.db")
	a, b := startMagi(t, env), startMagi(t, env)

	t.Run("A finishes", func(t *testing.T) {
		ctx := magitest.Context(t, 30*time.Second) // a failure guard: B's stream ends by itself
		s := magitest.Ask(ctx, t, a.URL, "Two servers, one file?")
		head := s.Until(t, streaming())
		id := head[0].Event.DeliberationID
		fromB := magitest.Events(ctx, t, b.URL, id, "").All(t)
		fromA := append(head, s.All(t)...)
		magitest.CheckStream(t, fromB)
		if diff := cmp.Diff(magitest.Datas(fromA), magitest.Datas(fromB)); diff != "" {
			t.Errorf("B's stream differs from A's (-A +B):\n%s", diff)
		}
	})

	t.Run("A killed", func(t *testing.T) {
		ctx := magitest.Context(t, 40*time.Second)
		s := magitest.Ask(ctx, t, a.URL, "And if one dies?")
		id := s.Until(t, streaming())[0].Event.DeliberationID
		fromB := magitest.Events(ctx, t, b.URL, id, "")
		seen := fromB.Until(t, func(e magi.Event) bool { return e.Type == magi.EventChunk })
		a.Kill(t)
		began := time.Now()
		evs := append(seen, fromB.All(t)...)
		magitest.CheckSeq(t, evs)
		end := magitest.Last(t, evs)
		if end.Type != magi.EventError || !end.Fatal || end.Code != magi.EINTERRUPTED {
			t.Fatalf("B's stream ended with %s, want a fatal error `interrupted`", evs[len(evs)-1].Data)
		}
		t.Logf("B's stream ended `interrupted` %v after A was killed", time.Since(began).Round(time.Millisecond))
		if rec := magitest.Record(t, b.URL, id); rec.Status != magi.StatusInterrupted {
			t.Errorf("status %s, want interrupted", rec.Status)
		}
	})
}
