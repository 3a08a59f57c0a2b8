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

// Create records a new running deliberation, run by this store's instance.
func (d *DB) Create(ctx context.Context, n magi.NewDeliberation) error {
	if n.ID == "" {
		return magi.Errorf(magi.EINVALID, "create: empty deliberation id")
	}
	at := n.CreatedAt
	if at.IsZero() {
		at = time.Now()
	}
	tag, err := d.pool.Exec(ctx, `INSERT INTO deliberations
		(id, question, rule, owner, status, simulated, created_at, updated_at, instance)
		VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
		n.ID, n.Question, string(n.Rule), n.Owner, n.Simulated, at.UnixNano(), time.Now().UnixNano(), d.instance)
	if err != nil {
		return wrap("create", err)
	}
	if tag.RowsAffected() == 0 {
		return magi.Errorf(magi.ECONFLICT, "deliberation %s already exists", n.ID)
	}
	return nil
}

// Append stores events of one deliberation through the group commit; it
// returns once they are committed, and announced on Channel.
func (d *DB) Append(ctx context.Context, events ...magi.Event) error {
	return d.w.Append(ctx, events)
}

// state is a deliberation's row as the batch sees it.
type state struct {
	last   int64
	status magi.Status
}

// commit is the writer's transaction: it locks the batch's rows, checks
// every item against them, and sends the valid items' writes and one
// NOTIFY per deliberation in a single round trip.
func (d *DB) commit(ctx context.Context, batch [][]magi.Event) ([]error, error) {
	tx, err := d.pool.Begin(ctx)
	if err != nil {
		return nil, wrap("append", err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	states, err := lockRows(ctx, tx, batch)
	if err != nil {
		return nil, wrap("append", err)
	}
	items, b := plan(batch, states, time.Now().UnixNano())
	if b.Len() > 0 {
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return nil, wrap("append", err)
		}
	}
	return items, wrap("append", tx.Commit(ctx))
}

// lockRows reads and locks, in id order, the rows of the batch.
func lockRows(ctx context.Context, tx pgx.Tx, batch [][]magi.Event) (map[string]*state, error) {
	seen := map[string]bool{}
	var ids []string
	for _, evs := range batch {
		if id := evs[0].DeliberationID; !seen[id] {
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

// plan checks each item against states (updating them as items pass) and
// queues the writes of the valid ones.
func plan(batch [][]magi.Event, states map[string]*state, now int64) ([]error, *pgx.Batch) {
	items := make([]error, len(batch))
	b := &pgx.Batch{}
	notify := map[string]int64{}
	for i, evs := range batch {
		id := evs[0].DeliberationID
		s := states[id]
		if s == nil {
			items[i] = journal.NotFound()
			continue
		}
		if items[i] = journal.Continue(evs, s.last, s.status); items[i] != nil {
			continue
		}
		data, err := journal.Marshal(evs)
		if err != nil {
			items[i] = err
			continue
		}
		for j, e := range evs {
			b.Queue(`INSERT INTO events (deliberation_id, seq, type, data) VALUES ($1, $2, $3, $4)`,
				id, e.Seq, string(e.Type), data[j])
		}
		status, decision := journal.Outcome(evs)
		s.last, s.status = evs[len(evs)-1].Seq, status
		b.Queue(`UPDATE deliberations SET last_seq = $1, status = $2, decision = $3, updated_at = $4 WHERE id = $5`,
			s.last, string(status), string(decision), now, id)
		notify[id] = s.last
	}
	for id, seq := range notify {
		b.Queue(`SELECT pg_notify($1, $2)`, Channel, fmt.Sprintf("%s:%d", id, seq))
	}
	return items, b
}
