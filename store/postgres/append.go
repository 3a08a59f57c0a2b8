package postgres

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

// Write stores b in one transaction (see magi.Store): the new rows, then
// the events, each run checked against its row (locked, in id order), and
// one NOTIFY per deliberation, which fires on commit.
func (d *DB) Write(ctx context.Context, b magi.Batch) (magi.Refused, error) {
	refused := journal.Check(b)
	tx, err := d.begin(ctx)
	if err != nil {
		return refused, wrap("write", err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	now := time.Now().UnixNano()
	if err := d.create(ctx, tx, b.Create, refused.Create, now); err != nil {
		return refused, wrap("create", err)
	}
	if len(b.Append) > 0 {
		states, err := lockRows(ctx, tx, b.Append, refused.Append)
		if err != nil {
			return refused, wrap("append", err)
		}
		if q := plan(b.Append, refused.Append, states, now); q.Len() > 0 {
			if err := tx.SendBatch(ctx, q).Close(); err != nil {
				return refused, wrap("append", err)
			}
		}
	}
	return refused, wrap("write", tx.Commit(ctx))
}

// create inserts the rows of the creates not refused yet, refusing those
// whose id exists.
func (d *DB) create(ctx context.Context, tx pgx.Tx, creates []magi.NewDeliberation, refused []error, now int64) error {
	q := &pgx.Batch{}
	var queued []int
	for i, n := range creates {
		if refused[i] != nil {
			continue
		}
		at := n.CreatedAt
		if at.IsZero() {
			at = time.Unix(0, now)
		}
		q.Queue(`INSERT INTO deliberations
			(id, question, rule, owner, status, simulated, created_at, updated_at, instance)
			VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
			n.ID, n.Question, string(n.Rule), n.Owner, n.Simulated, at.UnixNano(), now, d.instance)
		queued = append(queued, i)
	}
	if len(queued) == 0 {
		return nil
	}
	res := tx.SendBatch(ctx, q)
	for _, i := range queued {
		tag, err := res.Exec()
		if err != nil {
			_ = res.Close()
			return err
		}
		if tag.RowsAffected() == 0 {
			refused[i] = journal.Exists(creates[i].ID)
		}
	}
	return res.Close()
}

// state is a deliberation's row as the batch sees it.
type state struct {
	last   int64
	status magi.Status
}

// lockRows reads and locks, in id order, the rows of the appends not
// refused yet.
func lockRows(ctx context.Context, tx pgx.Tx, appends [][]magi.Encoded, refused []error) (map[string]*state, error) {
	seen := map[string]bool{}
	var ids []string
	for i, evs := range appends {
		if refused[i] != nil {
			continue
		}
		if id := evs[0].Event.DeliberationID; !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	rows, err := tx.Query(ctx, `SELECT id, last_seq, status FROM deliberations
		WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	states := map[string]*state{}
	for rows.Next() {
		var id string
		s := &state{}
		if err := rows.Scan(&id, &s.last, &s.status); err != nil {
			return nil, err
		}
		states[id] = s
	}
	return states, rows.Err()
}

// plan checks each append not refused yet against states (updating them
// as appends pass), refusing those that do not continue their row, and
// queues the writes of the others.
func plan(appends [][]magi.Encoded, refused []error, states map[string]*state, now int64) *pgx.Batch {
	b := &pgx.Batch{}
	notify := map[string]int64{}
	for i, evs := range appends {
		if refused[i] != nil {
			continue
		}
		id := evs[0].Event.DeliberationID
		s := states[id]
		if s == nil {
			refused[i] = journal.NotFound()
			continue
		}
		if refused[i] = journal.Continue(evs, s.last, s.status); refused[i] != nil {
			continue
		}
		for _, e := range evs {
			b.Queue(`INSERT INTO events (deliberation_id, seq, type, data) VALUES ($1, $2, $3, $4)`,
				id, e.Event.Seq, string(e.Event.Type), string(e.JSON))
		}
		status, decision := journal.Outcome(evs)
		s.last, s.status = evs[len(evs)-1].Event.Seq, status
		b.Queue(`UPDATE deliberations SET last_seq = $1, status = $2, decision = $3, updated_at = $4 WHERE id = $5`,
			s.last, string(status), string(decision), now, id)
		notify[id] = s.last
	}
	for id, seq := range notify {
		b.Queue(`SELECT pg_notify($1, $2)`, Channel, fmt.Sprintf("%s:%d", id, seq))
	}
	return b
}
