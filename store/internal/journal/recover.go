package journal

import (
	"context"
	"time"

	"github.com/magi-system/magi"
)

// Running is a deliberation left running by another store instance.
type Running struct {
	ID       string
	Instance string
	LastSeq  int64
}

// Interrupt appends the fatal interrupted event to each deliberation of
// running whose instance is not alive, and returns their ids. One that
// another process recovered (or finished) meanwhile is skipped.
func Interrupt(ctx context.Context, running []Running, alive func(ctx context.Context, instance string) (bool, error),
	appendFn func(ctx context.Context, events ...magi.Event) error) ([]string, error) {
	live := map[string]bool{}
	ids := []string{}
	for _, r := range running {
		ok, seen := live[r.Instance]
		if !seen {
			var err error
			if ok, err = alive(ctx, r.Instance); err != nil {
				return ids, err
			}
			live[r.Instance] = ok
		}
		if ok {
			continue
		}
		err := appendFn(ctx, Interrupted(r.ID, r.LastSeq+1, time.Now()))
		switch magi.ErrorCode(err) {
		case "":
			ids = append(ids, r.ID)
		case magi.EINVALID, magi.ECONFLICT, magi.ENOTFOUND:
		default:
			return ids, err
		}
	}
	return ids, nil
}
