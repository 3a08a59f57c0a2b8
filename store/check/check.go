// Package check verifies, over a whole store, what MAGI promises of every
// deliberation it keeps:
//
//   - it is completed, failed, cancelled or interrupted, or running in a
//     process that is alive — never left running by one that is gone;
//   - its events are seq 1…n, with no gap and no duplicate, all of it;
//   - a finished one ends with exactly one terminal event (`complete` or
//     a fatal `error`), the last, and a running one has none yet;
//   - its row agrees with its events: status, decision and last seq.
//
// It reads a store through Store, which store/sqlite, store/postgres and
// store/inmem implement, and writes nothing. `magi doctor --store` runs it
// for operators; the fault-injection suite (faults/) runs it after every
// faulted run.
package check

import (
	"context"
	"fmt"
	"slices"

	"github.com/magi-system/magi"
)

// Store is what the checker reads of a store: the history, each
// deliberation's row and events (magi.Store's methods), and the running
// deliberations whose process is gone.
type Store interface {
	List(ctx context.Context, f magi.ListFilter) (magi.Page, error)
	Summary(ctx context.Context, id, owner string) (magi.Summary, error)
	Events(ctx context.Context, id string, after int64, limit int) ([]magi.Event, error)
	// Orphans returns the ids of the running deliberations whose store
	// instance is gone (those magi.Store.Recover would interrupt).
	Orphans(ctx context.Context) ([]string, error)
}

// Kind names a broken promise.
type Kind string

// The kinds of violation.
const (
	// Orphaned: running, but the process that ran it is gone, and no
	// process has marked it interrupted yet.
	Orphaned Kind = "orphaned"
	// Gap: a seq is missing.
	Gap Kind = "gap"
	// Duplicate: a seq is stored twice (or goes back).
	Duplicate Kind = "duplicate"
	// Foreign: an event names another deliberation.
	Foreign Kind = "foreign"
	// NoEnd: finished, without a terminal event.
	NoEnd Kind = "no_end"
	// Terminals: more than one terminal event, or events after it.
	Terminals Kind = "terminals"
	// Mismatch: the row's status, decision or last seq disagrees with its
	// events.
	Mismatch Kind = "mismatch"
	// Unreadable: the events cannot be read or decoded.
	Unreadable Kind = "unreadable"
)

// Violation is one broken promise of one deliberation.
type Violation struct {
	ID     string `json:"id"`
	Kind   Kind   `json:"kind"`
	Detail string `json:"detail"`
}

// String is "ID: kind: detail".
func (v Violation) String() string { return fmt.Sprintf("%s: %s: %s", v.ID, v.Kind, v.Detail) }

// Report is what Run found.
type Report struct {
	// Deliberations is how many were checked, Running how many of them
	// run in a live process, Events how many events were read.
	Deliberations int   `json:"deliberations"`
	Running       int   `json:"running"`
	Events        int64 `json:"events"`
	// Violations lists every broken promise, by deliberation.
	Violations []Violation `json:"violations"`
}

// OK reports whether nothing was found.
func (r Report) OK() bool { return len(r.Violations) == 0 }

// Run checks every deliberation of st, newest first. Deliberations that
// finish while it runs are checked as they are when read. The error is a
// failure to read the store, not a violation.
func Run(ctx context.Context, st Store) (Report, error) {
	rep := Report{Violations: []Violation{}}
	orphans, err := st.Orphans(ctx)
	if err != nil {
		return rep, fmt.Errorf("check: orphans: %w", err)
	}
	cursor := ""
	for {
		page, err := st.List(ctx, magi.ListFilter{Limit: 100, Cursor: cursor})
		if err != nil {
			return rep, fmt.Errorf("check: list: %w", err)
		}
		for _, s := range page.Items {
			r, err := deliberation(ctx, st, s.ID)
			if err != nil {
				return rep, err
			}
			rep.add(r)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	// Checked last, so that a deliberation another process recovered
	// meanwhile is not reported.
	for _, id := range orphans {
		if s, err := st.Summary(ctx, id, ""); err == nil && s.Status == magi.StatusRunning {
			rep.Violations = append(rep.Violations, Violation{ID: id, Kind: Orphaned,
				Detail: fmt.Sprintf("running at seq %d, but the magi process running it is gone; the next magi serve marks it interrupted", s.LastSeq)})
			rep.Running--
		}
	}
	return rep, nil
}

// add counts the result of one deliberation.
func (rep *Report) add(r result) {
	rep.Deliberations++
	rep.Events += int64(r.events)
	if r.running {
		rep.Running++
	}
	rep.Violations = append(rep.Violations, r.violations...)
}

// Deliberation checks the deliberation id, as Run would (without asking
// whether the process running it is alive).
func Deliberation(ctx context.Context, st Store, id string) ([]Violation, error) {
	r, err := deliberation(ctx, st, id)
	return r.violations, err
}

// result is what was found of one deliberation.
type result struct {
	running    bool
	events     int
	violations []Violation
}

// deliberation reads the row of id, then its events, and checks them. A
// row read running may finish while its events are read: it is read again
// and checked as finished.
func deliberation(ctx context.Context, st Store, id string) (result, error) {
	for range 3 {
		s, err := st.Summary(ctx, id, "")
		if magi.ErrorCode(err) == magi.ENOTFOUND {
			return result{}, nil // deleted meanwhile
		}
		if err != nil {
			return result{}, fmt.Errorf("check: %s: %w", id, err)
		}
		evs, err := events(ctx, st, id)
		if err != nil {
			return result{events: len(evs), violations: []Violation{{ID: id, Kind: Unreadable, Detail: err.Error()}}}, nil
		}
		if s.Status == magi.StatusRunning {
			now, err := st.Summary(ctx, id, "")
			if err != nil && magi.ErrorCode(err) != magi.ENOTFOUND {
				return result{}, fmt.Errorf("check: %s: %w", id, err)
			}
			if err == nil && now.Status != magi.StatusRunning {
				continue // it finished while its events were read
			}
		}
		return result{running: s.Status == magi.StatusRunning, events: len(evs), violations: Events(s, evs)}, nil
	}
	return result{}, fmt.Errorf("check: %s kept changing while it was read", id)
}

// page is how many events are read at a time.
const page = 1000

// events reads every stored event of id.
func events(ctx context.Context, st Store, id string) ([]magi.Event, error) {
	var all []magi.Event
	for {
		after := int64(0)
		if len(all) > 0 {
			after = all[len(all)-1].Seq
		}
		evs, err := st.Events(ctx, id, after, page)
		if err != nil {
			return all, err
		}
		all = append(all, evs...)
		if len(evs) < page {
			return all, nil
		}
		if evs[len(evs)-1].Seq <= after {
			return all, fmt.Errorf("events after seq %d go back to seq %d", after, evs[len(evs)-1].Seq)
		}
	}
}

// Events checks the events of one deliberation against its row s: read
// after s, a running row may have more events than its last seq, but
// none terminal.
func Events(s magi.Summary, evs []magi.Event) []Violation {
	var out []Violation
	bad := func(k Kind, format string, args ...any) {
		out = append(out, Violation{ID: s.ID, Kind: k, Detail: fmt.Sprintf(format, args...)})
	}
	terminal := -1 // index of the first terminal event
	for i, e := range evs {
		want := int64(i + 1)
		switch {
		case e.DeliberationID != s.ID:
			bad(Foreign, "event %d names deliberation %q", want, e.DeliberationID)
		case e.Seq < want:
			bad(Duplicate, "seq %d comes again after seq %d", e.Seq, evs[i-1].Seq)
		case e.Seq > want:
			bad(Gap, "seqs %d to %d are missing", want, e.Seq-1)
		}
		if len(out) > 0 {
			return out // the numbering is off: what follows would only repeat it
		}
		if e.Type == magi.EventStart && e.Seq != 1 {
			bad(Terminals, "a start event at seq %d", e.Seq)
		}
		if e.Terminal() {
			if terminal >= 0 {
				bad(Terminals, "a second terminal event (%s) at seq %d after the one at seq %d", name(e), e.Seq, evs[terminal].Seq)
			} else {
				terminal = i
			}
		}
	}
	if terminal >= 0 && terminal < len(evs)-1 && !slices.ContainsFunc(out, func(v Violation) bool { return v.Kind == Terminals }) {
		bad(Terminals, "events after the terminal %s at seq %d", name(evs[terminal]), evs[terminal].Seq)
	}
	return append(out, row(s, evs, terminal)...)
}

// row checks the row s against its events, terminal the index of the
// first terminal event (-1: none).
func row(s magi.Summary, evs []magi.Event, terminal int) []Violation {
	var out []Violation
	bad := func(k Kind, format string, args ...any) {
		out = append(out, Violation{ID: s.ID, Kind: k, Detail: fmt.Sprintf(format, args...)})
	}
	n := int64(len(evs))
	if s.Status == magi.StatusRunning {
		if terminal >= 0 {
			bad(Mismatch, "status running, but seq %d is the terminal %s", evs[terminal].Seq, name(evs[terminal]))
		}
		if n < s.LastSeq {
			bad(Gap, "the row is at seq %d, but only %d events are stored", s.LastSeq, n)
		}
		return out
	}
	if terminal < 0 {
		bad(NoEnd, "status %s, but no complete or fatal error event among its %d events", s.Status, n)
		return out
	}
	last := evs[terminal]
	if want := magi.StatusOf(last); s.Status != want {
		bad(Mismatch, "status %s, but its terminal %s at seq %d means %s", s.Status, name(last), last.Seq, want)
	}
	var decision magi.Decision
	if last.Type == magi.EventComplete && last.Outcome != nil {
		decision = last.Outcome.Decision
	}
	if s.Decision != decision {
		bad(Mismatch, "decision %q, but its events decided %q", s.Decision, decision)
	}
	if s.LastSeq != n {
		bad(Mismatch, "the row is at seq %d, but %d events are stored", s.LastSeq, n)
	}
	return out
}

// name describes a terminal event: "complete" or "error cancelled".
func name(e magi.Event) string {
	if e.Type == magi.EventError {
		return "error " + e.Code
	}
	return string(e.Type)
}
