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

// Interrupt writes, in one batch, the fatal interrupted event of each
// deliberation of running whose instance is not alive, and returns the ids
// of those it stored. One that another process recovered (or finished)
// meanwhile is refused and skipped.
func Interrupt(ctx context.Context, running []Running, alive func(ctx context.Context, instance string) (bool, error),
	write func(ctx context.Context, b magi.Batch) (magi.Refused, error)) ([]string, error) {
	live := map[string]bool{}
	var b magi.Batch
	for _, r := range running {
		ok, seen := live[r.Instance]
		if !seen {
			var err error
			if ok, err = alive(ctx, r.Instance); err != nil {
				return []string{}, err
			}
			live[r.Instance] = ok
		}
		if !ok {
			e, err := magi.Encode(Interrupted(r.ID, r.LastSeq+1, time.Now()))
			if err != nil {
				return []string{}, err
			}
			b.Append = append(b.Append, []magi.Encoded{e})
		}
	}
	ids := []string{}
	if len(b.Append) == 0 {
		return ids, nil
	}
	refused, err := write(ctx, b)
	if err != nil {
		return ids, err
	}
	for i, evs := range b.Append {
		switch err := refused.Append[i]; magi.ErrorCode(err) {
		case "":
			ids = append(ids, evs[0].Event.DeliberationID)
		case magi.EINVALID, magi.ECONFLICT, magi.ENOTFOUND:
		default:
			return ids, err
		}
	}
	return ids, nil
}
