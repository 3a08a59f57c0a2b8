package faulttest

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/await"
	"github.com/magi-system/magi/store/check"
)

// Store is what the invariants read of a store: the checker's reads.
type Store = check.Store

// Violations counts the invariant violations a test found (0 is the only
// passing figure) and says each one.
type Violations struct {
	tb testing.TB
	n  int
}

// NewViolations returns the tally of tb.
func NewViolations(tb testing.TB) *Violations { return &Violations{tb: tb} }

// Errorf reports one violation.
func (v *Violations) Errorf(format string, args ...any) {
	v.tb.Helper()
	v.n++
	v.tb.Errorf("violation: "+format, args...)
}

// N is the number of violations reported.
func (v *Violations) N() int { return v.n }

// WaitSettled waits up to within until no deliberation of st runs, and
// reports each one still running then: with its faults healed, a server
// must finish (or fail) what it runs in bounded time.
func WaitSettled(ctx context.Context, v *Violations, st Store, within time.Duration) {
	v.tb.Helper()
	var running []magi.Summary
	var err error
	if await.Until(within, func() bool { // the store is polled: nothing to wait on across processes
		running, err = runningIDs(ctx, st)
		return err == nil && len(running) == 0
	}) {
		return
	}
	if err != nil {
		v.Errorf("the store could not be read %v after the faults were healed: %v", within, err)
		return
	}
	for _, s := range running {
		v.Errorf("%s still running at seq %d %v after the faults were healed", s.ID, s.LastSeq, within)
	}
}

// runningIDs lists the running deliberations of st.
func runningIDs(ctx context.Context, st Store) ([]magi.Summary, error) {
	var out []magi.Summary
	for cursor := ""; ; {
		p, err := st.List(ctx, magi.ListFilter{Limit: 100, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, s := range p.Items {
			if s.Status == magi.StatusRunning {
				out = append(out, s)
			}
		}
		if cursor = p.NextCursor; cursor == "" {
			return out, nil
		}
	}
}

// CheckStore runs the store checker over st and reports every violation.
// It returns how many deliberations it checked.
func CheckStore(ctx context.Context, v *Violations, st Store) int {
	v.tb.Helper()
	rep, err := check.Run(ctx, st)
	if err != nil {
		v.Errorf("the store checker could not read the store: %v", err)
		return 0
	}
	for _, x := range rep.Violations {
		v.Errorf("store: %s", x)
	}
	return rep.Deliberations
}

// CheckRun runs the store checker over the deliberations the clients
// read, and asks the store for orphans (a deliberation left running by a
// process that is gone), reporting every violation: the check after one
// run. CheckStore checks the whole store.
func CheckRun(ctx context.Context, v *Violations, st Store, clients []*Client) {
	v.tb.Helper()
	seen := map[string]bool{}
	for _, c := range clients {
		id := c.ID()
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		vs, err := check.Deliberation(ctx, st, id)
		if err != nil {
			v.Errorf("the store checker could not read %s: %v", id, err)
		}
		for _, x := range vs {
			v.Errorf("store: %s", x)
		}
	}
	orphans, err := st.Orphans(ctx)
	if err != nil {
		v.Errorf("orphans: %v", err)
	}
	for _, id := range orphans {
		v.Errorf("store: %s: orphaned: running, and the process running it is gone", id)
	}
}

// unstoredEnds are the codes of the fatal errors a server may end a stream
// with without storing them: its store failed (store_failed, unavailable)
// or it was shutting down.
var unstoredEnds = map[string]bool{magi.ESTORE: true, magi.EUNAVAILABLE: true, magi.ESHUTDOWN: true}

// CheckClients checks what each client read against the stored stream:
// a prefix of it, then its end — the stored terminal event, or a fatal
// error the server could not store (its store failed). A client that
// stopped without its end is a violation; so is a refused start answered
// with anything but a JSON error that names no internal detail.
func CheckClients(ctx context.Context, v *Violations, st Store, clients []*Client) {
	v.tb.Helper()
	stored := map[string][]magi.Event{}
	for _, c := range clients {
		if c.Refused != nil {
			checkRefusal(v, *c.Refused)
			continue
		}
		id := c.ID()
		if id == "" {
			v.Errorf("a client never learnt its deliberation: %v", c.Err)
			continue
		}
		evs, ok := stored[id]
		if !ok {
			var err error
			if evs, err = readAll(ctx, st, id); err != nil {
				v.Errorf("%s: reading its stored events: %v", id, err)
				continue
			}
			stored[id] = evs
		}
		checkClient(v, c, evs)
	}
}

// checkClient checks one client against the stored events of its
// deliberation.
func checkClient(v *Violations, c *Client, stored []magi.Event) {
	v.tb.Helper()
	id := c.ID()
	if !c.Ended() {
		v.Errorf("%s: a client (from seq %d) read %d events over %d connections and no end: %v", id, c.After, len(c.Got), c.Conns, c.Err)
	}
	want := c.After + 1
	for i, g := range c.Got {
		e := g.Event
		last := i == len(c.Got)-1
		if e.DeliberationID != id {
			v.Errorf("%s: a client read an event of %q", id, e.DeliberationID)
			return
		}
		if e.Seq >= 1 && e.Seq <= int64(len(stored)) && same(e, stored[e.Seq-1]) {
			if e.Seq != want {
				v.Errorf("%s: a client read seq %d where seq %d was due (a gap or a duplicate)", id, e.Seq, want)
				return
			}
			want++
			continue
		}
		if last && e.Terminal() && unstoredEnds[e.Code] {
			return // the server could not store its end, and said so
		}
		v.Errorf("%s: a client read, as seq %d, an event that differs from the stored one (stored %d events): %s", id, e.Seq, len(stored), g.Data)
		return
	}
}

// same reports whether a client's event is the stored one: the same JSON.
func same(got, stored magi.Event) bool {
	a, err1 := got.AppendJSON(nil)
	b, err2 := stored.AppendJSON(nil)
	return err1 == nil && err2 == nil && bytes.Equal(a, b)
}

// internalText are fragments that must never reach a client: driver,
// SQL and network details.
var internalText = []string{"sqlite", "postgres:", "pgx", "SQLSTATE", "dial tcp", "goroutine", ".go:", "database/sql", "EOF"}

// checkRefusal checks an error answer: a 4xx or 503, SPEC's JSON error,
// no internal detail.
func checkRefusal(v *Violations, r Refusal) {
	v.tb.Helper()
	if r.Status != 503 && r.Status != 429 && (r.Status < 400 || r.Status >= 500) {
		v.Errorf("a start was refused with status %d: %s", r.Status, r.Body)
	}
	if !strings.HasPrefix(strings.TrimSpace(r.Body), `{"error":{"code":`) {
		v.Errorf("a refusal is not SPEC's JSON error: %s", r.Body)
	}
	for _, s := range internalText {
		if strings.Contains(r.Body, s) {
			v.Errorf("a refusal shows an internal detail (%q): %s", s, r.Body)
		}
	}
}

// readAll reads every stored event of id.
func readAll(ctx context.Context, st Store, id string) ([]magi.Event, error) {
	var all []magi.Event
	for {
		after := int64(0)
		if len(all) > 0 {
			after = all[len(all)-1].Seq
		}
		evs, err := st.Events(ctx, id, after, 1000)
		if err != nil {
			return nil, err
		}
		all = append(all, evs...)
		if len(evs) < 1000 {
			return all, nil
		}
	}
}

// Describe is a one-line account of a client, for logs.
func (c *Client) Describe() string {
	end := "no end"
	if c.Ended() {
		e := c.Got[len(c.Got)-1].Event
		end = string(e.Type)
		if e.Type == magi.EventError {
			end += " " + e.Code
		}
	}
	return fmt.Sprintf("%s from %d: %d events, %d connections, %s", c.ID(), c.After, len(c.Got), c.Conns, end)
}
