package pgtest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestServer_PauseRestart: a paused server answers nothing and keeps its
// connections; resumed, it answers on them again. A restart, fast or a
// crash, ends the sessions and keeps every committed row.
func TestServer_PauseRestart(t *testing.T) {
	if _, err := Binaries(); err != nil {
		URL(t) // skips, or fails in CI, saying why
	}
	s, err := StartWith(Options{Durable: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	url, err := s.CreateDatabase(t.Context(), "control")
	if err != nil || url != s.URLOf("control") {
		t.Fatalf("CreateDatabase: %q, %v; want %q", url, err, s.URLOf("control"))
	}
	c := connect(t, url)
	if _, err := c.Exec(t.Context(), `CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)`); err != nil {
		t.Fatal(err)
	}

	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	_, err = c.Exec(ctx, `SELECT 1`)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a query to a paused server: %v, want no answer before the deadline", err)
	}
	if err := s.Resume(); err != nil {
		t.Fatal(err)
	}
	c = connect(t, url) // the first connection was closed by its cancelled query
	if _, err := c.Exec(t.Context(), `INSERT INTO kept VALUES (2)`); err != nil {
		t.Fatalf("after Resume: %v", err)
	}

	for _, crash := range []bool{false, true} {
		if err := s.Restart(crash); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Exec(t.Context(), `SELECT 1`); err == nil {
			t.Errorf("restart (crash %v): a session of the old server still answers", crash)
		}
		c = connect(t, url)
		var n int
		if err := c.QueryRow(t.Context(), `SELECT count(*) FROM kept`).Scan(&n); err != nil || n != 2 {
			t.Errorf("after a restart (crash %v): %d rows, %v; want the 2 committed", crash, n, err)
		}
	}
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}
