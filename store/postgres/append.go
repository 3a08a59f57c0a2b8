package postgres

import (
	"context"
	"errors"
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

// create inserts, in one statement, the rows of the creates not refused
// yet, refusing those whose id exists.
func (d *DB) create(ctx context.Context, tx pgx.Tx, creates []magi.NewDeliberation, refused []error, now int64) error {
	var c struct {
		ids, questions, rules, owners    []string
		councils, conversations, parents []string
		simulated                        []bool
		at                               []int64
	}
	for i, n := range creates {
		if refused[i] == nil && n.ParentID != "" {
			var err error
			if refused[i], err = parent(ctx, tx, n); err != nil {
				return err
			}
		}
		if refused[i] != nil {
			continue
		}
		at := n.CreatedAt
		if at.IsZero() {
			at = time.Unix(0, now)
		}
		conv := n.ConversationID
		if conv == "" {
			conv = n.ID
		}
		c.ids, c.questions = append(c.ids, n.ID), append(c.questions, n.Question)
		c.rules, c.owners = append(c.rules, string(n.Rule)), append(c.owners, n.Owner)
		c.simulated, c.at = append(c.simulated, n.Simulated), append(c.at, at.UnixNano())
		c.councils, c.conversations, c.parents = append(c.councils, n.Council), append(c.conversations, conv), append(c.parents, n.ParentID)
	}
	if len(c.ids) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `INSERT INTO deliberations
		(id, question, rule, owner, status, simulated, created_at, updated_at, instance, council, conversation_id, parent_id)
		SELECT u.id, u.question, u.rule, u.owner, 'running', u.simulated, u.created_at, $10, $11, u.council, u.conversation_id, u.parent_id
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::bigint[], $7::text[], $8::text[], $9::text[])
			AS u(id, question, rule, owner, simulated, created_at, council, conversation_id, parent_id)
		ON CONFLICT (id) DO NOTHING RETURNING id`,
		c.ids, c.questions, c.rules, c.owners, c.simulated, c.at, c.councils, c.conversations, c.parents, now, d.instance)
	if err != nil {
		return err
	}
	inserted, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	left := map[string]int{}
	for _, id := range inserted {
		left[id]++
	}
	for i, n := range creates {
		if refused[i] != nil {
			continue
		}
		if left[n.ID] == 0 {
			refused[i] = journal.Exists(n.ID)
			continue
		}
		left[n.ID]--
	}
	return nil
}

// parent checks the parent of the follow-up n, and keeps its row from
// being deleted until tx ends (a Delete waits, then sees the follow-up):
// item is n's refusal, err a failure of the whole transaction.
func parent(ctx context.Context, tx pgx.Tx, n magi.NewDeliberation) (item, err error) {
	var owner, status, conv string
	err = tx.QueryRow(ctx, `SELECT owner, status, conversation_id FROM deliberations WHERE id = $1 FOR SHARE`, n.ParentID).
		Scan(&owner, &status, &conv)
	if errors.Is(err, pgx.ErrNoRows) {
		return journal.NotFound(), nil
	}
	if err != nil {
		return nil, err
	}
	return journal.CheckParent(n, owner, magi.Status(status), conv), nil
}

// state is a deliberation's row as the batch sees it; moved, whether the
// batch appends to it.
type state struct {
	last     int64
	status   magi.Status
	decision magi.Decision
	moved    bool
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
// queues the writes of the others: one INSERT of every event, one UPDATE
// of every row and one NOTIFY per deliberation, each a single statement
// over arrays (unnest), so a write costs three statements however many
// deliberations it holds.
func plan(appends [][]magi.Encoded, refused []error, states map[string]*state, now int64) *pgx.Batch {
	var ev struct {
		ids, types, data []string
		seqs             []int64
	}
	var row struct {
		ids, statuses, decisions, notices []string
		lasts                             []int64
	}
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
			ev.ids, ev.seqs = append(ev.ids, id), append(ev.seqs, e.Event.Seq)
			ev.types, ev.data = append(ev.types, string(e.Event.Type)), append(ev.data, string(e.JSON))
		}
		s.status, s.decision = journal.Outcome(evs)
		s.last, s.moved = evs[len(evs)-1].Event.Seq, true
	}
	for _, id := range sortedIDs(states) {
		s := states[id]
		if !s.moved {
			continue
		}
		row.ids, row.lasts = append(row.ids, id), append(row.lasts, s.last)
		row.statuses, row.decisions = append(row.statuses, string(s.status)), append(row.decisions, string(s.decision))
		row.notices = append(row.notices, fmt.Sprintf("%s:%d", id, s.last))
	}
	b := &pgx.Batch{}
	if len(ev.ids) == 0 {
		return b
	}
	b.Queue(`INSERT INTO events (deliberation_id, seq, type, data)
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::json[])`, ev.ids, ev.seqs, ev.types, ev.data)
	b.Queue(`UPDATE deliberations AS d SET last_seq = u.last_seq, status = u.status, decision = u.decision, updated_at = $5
		FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) AS u(id, last_seq, status, decision)
		WHERE d.id = u.id`, row.ids, row.lasts, row.statuses, row.decisions, now)
	b.Queue(`SELECT pg_notify($1, n) FROM unnest($2::text[]) AS n`, Channel, row.notices)
	return b
}

// sortedIDs returns the ids of states in order.
func sortedIDs(states map[string]*state) []string {
	ids := make([]string, 0, len(states))
	for id := range states {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
