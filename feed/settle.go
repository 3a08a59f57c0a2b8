package feed

import (
	"context"
	"time"

	"github.com/magi-system/magi"
)

// settledMessage is the message of the fatal error the Journal stores to
// end a deliberation whose events the store lost.
const settledMessage = "the database was unavailable and the deliberation could not be kept; it stopped after the last event stored"

// backoff is the wait between attempts to settle lost deliberations: from
// 100ms, doubling to 5s; reset once they are settled.
type backoff struct {
	wait  time.Duration
	timer *time.Timer
}

func newBackoff() *backoff { return &backoff{wait: 100 * time.Millisecond} }

// idle waits for work; while deliberations are lost, it also tries, with
// backoff, to store their end.
func (j *Journal) idle(b *backoff) {
	if len(j.lost) == 0 {
		<-j.wake
		return
	}
	if b.timer == nil {
		b.timer = time.NewTimer(b.wait)
	}
	select {
	case <-j.wake:
		return
	case <-b.timer.C:
	}
	b.timer = nil
	if j.settle() {
		b.wait = 100 * time.Millisecond
	} else {
		b.wait = min(2*b.wait, 5*time.Second)
	}
}

// settle stores the end of each lost deliberation: a fatal store_failed
// error after its last stored event, so that its row no longer says
// running while this process lives (a process that dies first leaves it to
// Recover, as `interrupted`). Live subscribers read the unstored failure
// already; the stored end is what any later reader gets. It reports
// whether nothing is left to settle.
func (j *Journal) settle() bool {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	var b magi.Batch
	for id := range j.lost {
		s, err := j.store.Summary(ctx, id, "")
		switch {
		case magi.ErrorCode(err) == magi.ENOTFOUND || (err == nil && s.Status != magi.StatusRunning):
			delete(j.lost, id) // gone, or ended by another process (Recover)
			continue
		case err != nil:
			return false // the store is still down
		}
		x, err := magi.Encode(magi.Event{Type: magi.EventError, DeliberationID: id, Seq: s.LastSeq + 1,
			Timestamp: time.Now().UTC(), Code: magi.ESTORE, Message: settledMessage, Fatal: true})
		if err != nil {
			delete(j.lost, id)
			continue
		}
		b.Append = append(b.Append, []magi.Encoded{x})
	}
	if len(b.Append) == 0 {
		return true
	}
	refused, err := j.store.Write(ctx, b)
	if err != nil {
		return false
	}
	for i, evs := range b.Append {
		id := evs[0].Event.DeliberationID
		switch magi.ErrorCode(refused.Append[i]) {
		case "":
			delete(j.lost, id)
			j.hub.settled(id, evs)
		case magi.ECONFLICT, magi.ENOTFOUND: // ended meanwhile
			delete(j.lost, id)
		}
	}
	return len(j.lost) == 0
}
