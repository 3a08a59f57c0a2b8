package journal

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/magi-system/magi"
)

// MaxPage is the largest page of the history; DefaultPage the usual one.
const (
	DefaultPage = 20
	MaxPage     = 100
)

// InterruptedMessage is the message of the fatal event Recover appends.
const InterruptedMessage = "interrupted: the magi process running this deliberation stopped (crash or kill) before it finished"

// NotFound is the error of an unknown deliberation id.
func NotFound() error {
	return magi.Errorf(magi.ENOTFOUND, "no such deliberation (see the history for the ids that exist)")
}

// Unreachable is the error of a failed Ping of the store named store: an
// EUNAVAILABLE *magi.Error wrapping err, or nil.
func Unreachable(store string, err error) error {
	if err == nil {
		return nil
	}
	return &magi.Error{Code: magi.EUNAVAILABLE, Message: "the " + store + " store does not answer", Err: err}
}

// Storable reports whether s is text a store can hold and look up: valid
// UTF-8 without NUL. An id that is not cannot exist: PostgreSQL refuses
// to even compare it, so a query with it is answered ENOTFOUND instead.
func Storable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// ErrClosed is the error of a store used after Close.
func ErrClosed() error {
	return magi.Errorf(magi.EUNAVAILABLE, "the store is closed")
}

// Validate checks the events of one Append on their own: at least one,
// all of one deliberation, consecutive seqs, nothing after a terminal
// event, each encoded.
func Validate(events []magi.Encoded) error {
	if len(events) == 0 {
		return magi.Errorf(magi.EINVALID, "append: no events")
	}
	id := events[0].Event.DeliberationID
	if id == "" {
		return magi.Errorf(magi.EINVALID, "append: event without deliberation id")
	}
	for i, x := range events {
		e := x.Event
		switch {
		case e.DeliberationID != id:
			return magi.Errorf(magi.EINVALID, "append: events of more than one deliberation")
		case i > 0 && e.Seq != events[i-1].Event.Seq+1:
			return magi.Errorf(magi.EINVALID, "append: seq %d does not follow %d", e.Seq, events[i-1].Event.Seq)
		case i < len(events)-1 && e.Terminal():
			return magi.Errorf(magi.EINVALID, "append: events after the terminal event")
		case len(x.JSON) == 0:
			return magi.Errorf(magi.EINVALID, "append: event %d is not encoded", e.Seq)
		}
	}
	return nil
}

// Continue checks that events (already Validated) continue a stored
// deliberation whose last seq is last and whose status is status.
func Continue(events []magi.Encoded, last int64, status magi.Status) error {
	if status != magi.StatusRunning {
		return magi.Errorf(magi.ECONFLICT, "append: deliberation %s is already %s", events[0].Event.DeliberationID, status)
	}
	if first := events[0].Event.Seq; first != last+1 {
		return magi.Errorf(magi.EINVALID, "append: seq %d does not continue stored seq %d", first, last)
	}
	return nil
}

// Outcome returns the status and decision the events leave their
// deliberation in: running and "" unless the last one is terminal.
func Outcome(events []magi.Encoded) (magi.Status, magi.Decision) {
	last := events[len(events)-1].Event
	var d magi.Decision
	if last.Type == magi.EventComplete && last.Outcome != nil {
		d = last.Outcome.Decision
	}
	return magi.StatusOf(last), d
}

// Interrupted is the fatal event Recover appends to a deliberation whose
// process died.
func Interrupted(id string, seq int64, now time.Time) magi.Event {
	return magi.Event{Type: magi.EventError, DeliberationID: id, Seq: seq, Timestamp: now.UTC(),
		Code: magi.EINTERRUPTED, Message: InterruptedMessage, Fatal: true}
}

// PageSize returns the page size a ListFilter asks for.
func PageSize(limit int) int {
	switch {
	case limit <= 0:
		return DefaultPage
	case limit > MaxPage:
		return MaxPage
	}
	return limit
}

// Fill completes a record folded from events with what the stored row
// knows: the whole summary when no start event was stored yet, and the
// status, which the row keeps authoritatively.
func Fill(r magi.Record, s magi.Summary) magi.Record {
	if r.ID == "" {
		r.ID, r.Question, r.Rule, r.CreatedAt, r.Simulated = s.ID, s.Question, s.Rule, s.CreatedAt, s.Simulated
	}
	if r.Agents == nil {
		r.Agents = []magi.AgentRecord{}
	}
	r.Status = s.Status
	if r.Decision == "" {
		r.Decision = s.Decision
	}
	if s.ConversationID != "" {
		r.ConversationID = s.ConversationID
	} else if r.ConversationID == "" {
		r.ConversationID = r.ID
	}
	if r.ParentID == "" {
		r.ParentID = s.ParentID
	}
	r.Turn = max(r.Turn, 1)
	return r
}
