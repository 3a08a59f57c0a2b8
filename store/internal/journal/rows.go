package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/magi-system/magi"
)

// The row code both SQL backends share: the columns they select, how a
// row becomes a domain value, and how a driver's error is named. Each
// backend keeps its own SQL, placeholders and driver calls.

// SummaryColumns are the deliberations columns ScanSummary reads, in
// order, for a query FROM deliberations (not aliased): the last counts
// the turns of the row's conversation, on the conversation's index.
const SummaryColumns = `id, question, rule, status, decision, simulated, created_at, last_seq, council, conversation_id, parent_id,
	(SELECT COUNT(*) FROM deliberations t WHERE t.conversation_id = deliberations.conversation_id)`

// KeyColumns are the api_keys columns ScanKey reads, in order.
const KeyColumns = `id, name, admin, created_at, revoked_at`

// ScanSummary scans the SummaryColumns of a row, then extra, into s.
func ScanSummary(scan func(...any) error, s *magi.Summary, extra ...any) error {
	var at int64
	err := scan(append([]any{&s.ID, &s.Question, &s.Rule, &s.Status, &s.Decision, &s.Simulated, &at, &s.LastSeq, &s.Council,
		&s.ConversationID, &s.ParentID, &s.Turns}, extra...)...)
	s.CreatedAt = time.Unix(0, at).UTC()
	return err
}

// Turn completes the turn t, scanned with ScanSummary and its owner, with
// the outcome of its last stored event, the JSON last (empty when none).
func Turn(t *magi.Turn, last []byte) error {
	if t.Status != magi.StatusCompleted || len(last) == 0 {
		return nil
	}
	var e magi.Event
	if err := json.Unmarshal(last, &e); err != nil {
		return fmt.Errorf("turn %s: decode its last event: %w", t.ID, err)
	}
	if e.Type == magi.EventComplete {
		t.Outcome = e.Outcome
	}
	return nil
}

// NoFollowUps is the ECONFLICT error of deleting deliberation id alone
// when it has follow-ups.
func NoFollowUps(id, conversation string) error {
	return magi.Errorf(magi.ECONFLICT, "deliberation %s has follow-ups: delete its whole conversation instead "+
		"(DELETE /api/conversations/%s, or magi rm --conversation %s)", id, conversation, id)
}

// CheckParent is the refusal of a follow-up n whose parent, as stored, is
// of owner, in status and of conversation: nil when it may be created.
func CheckParent(n magi.NewDeliberation, owner string, status magi.Status, conversation string) error {
	switch {
	case owner != n.Owner:
		return NotFound()
	case conversation != n.ConversationID:
		return magi.Errorf(magi.ECONFLICT, "deliberation %s belongs to conversation %s, not %s", n.ParentID, conversation, n.ConversationID)
	}
	return magi.Turn{Summary: magi.Summary{ID: n.ParentID, Status: status}}.Followable()
}

// RunningTurn is the ECONFLICT error of deleting a conversation whose
// turn id still runs.
func RunningTurn(id string) error {
	return magi.Errorf(magi.ECONFLICT, "deliberation %s of the conversation is still running: stop it or wait for it, then delete the conversation", id)
}

// ScanKey scans the KeyColumns of a row, then extra, into a key.
func ScanKey(scan func(...any) error, extra ...any) (magi.APIKey, error) {
	var k magi.APIKey
	var created int64
	var revoked *int64
	if err := scan(append([]any{&k.ID, &k.Name, &k.Admin, &created, &revoked}, extra...)...); err != nil {
		return k, err
	}
	k.CreatedAt = time.Unix(0, created).UTC()
	if revoked != nil {
		at := time.Unix(0, *revoked).UTC()
		k.RevokedAt = &at
	}
	return k, nil
}

// KeyRevoked is the EINVALID error of adopting deliberations for the
// revoked API key id.
func KeyRevoked(id string) error {
	return magi.Errorf(magi.EINVALID, "API key %s is revoked: give the deliberations to a key in use (see magi keys list)", id)
}

// KeyNotFound is the ENOTFOUND error of the API key id.
func KeyNotFound(id string) error {
	return magi.Errorf(magi.ENOTFOUND, "no API key with id %q; see magi keys list", id)
}

// Wrap names the operation op of the backend's database error, and makes
// an error unavailable reports an EUNAVAILABLE *magi.Error. A *magi.Error
// passes unchanged.
func Wrap(backend string, unavailable func(error) bool, op string, err error) error {
	if err == nil {
		return nil
	}
	var me *magi.Error
	if errors.As(err, &me) {
		return err
	}
	err = fmt.Errorf("%s: %s: %w", backend, op, err)
	if unavailable(err) {
		return &magi.Error{Code: magi.EUNAVAILABLE, Message: "the database is unavailable or full", Err: err}
	}
	return err
}
