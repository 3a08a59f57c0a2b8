package postgres_test

import (
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/await"
	"github.com/magi-system/magi/internal/pgtest"
	"github.com/magi-system/magi/store/storetest"
)

// TestPostgres_InstanceLockSurvivesRestart: when the database restarts,
// every session ends and the instance's advisory lock with it; the store
// takes it again once the database is back, so that another process does
// not take the deliberations it still runs for those of a dead one. Its
// next write begins on a fresh session, not on a dead one of its pool.
func TestPostgres_InstanceLockSurvivesRestart(t *testing.T) {
	if _, err := pgtest.Binaries(); err != nil {
		pgtest.URL(t) // skips, or fails in CI, saying why
	}
	srv, err := pgtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	url, err := srv.CreateDatabase(t.Context(), "lock")
	if err != nil {
		t.Fatal(err)
	}
	live := openAt(t, url)
	id := magi.NewID()
	if err := storetest.Create(t.Context(), live, magi.NewDeliberation{ID: id, Question: "q", Rule: magi.Majority}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Restart(false); err != nil {
		t.Fatal(err)
	}
	other := openAt(t, url)
	// the lock is taken again in the store's own time
	var orphans []string
	if !await.Until(10*time.Second, func() bool {
		orphans, err = other.Orphans(t.Context())
		return err == nil && len(orphans) == 0
	}) {
		t.Fatalf("10s after the restart, another process still takes the live store's deliberation for orphaned: %v, %v", orphans, err)
	}
	if ids, err := other.Recover(t.Context()); err != nil || len(ids) != 0 {
		t.Errorf("Recover by another process: %v, %v; want nothing: the store that runs it is alive", ids, err)
	}
	e := magi.Event{Type: magi.EventStart, DeliberationID: id, Seq: 1, Timestamp: time.Now()}
	if err := storetest.Append(t.Context(), live, e); err != nil {
		t.Errorf("the live store appends after the restart: %v", err)
	}
}
