package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

// turnsQuery selects the turns of the conversation of a deliberation
// ($1), oldest first, of an owner ($2, ” for any), each with its last
// event: one range of the conversation index, and one primary-key lookup
// of an event per turn.
const turnsQuery = `SELECT ` + journal.SummaryColumns + `, owner, e.data
	FROM deliberations LEFT JOIN events e ON e.deliberation_id = deliberations.id AND e.seq = deliberations.last_seq
	WHERE conversation_id = (SELECT conversation_id FROM deliberations WHERE id = $1) AND ($2 = '' OR owner = $2)
	ORDER BY created_at, id`

// Conversation returns the turns of the conversation of deliberation id.
func (d *DB) Conversation(ctx context.Context, id, owner string) ([]magi.Turn, error) {
	return turns(ctx, d.pool, id, owner, "")
}

// turns runs turnsQuery, with lock (e.g. " FOR UPDATE OF deliberations")
// appended.
func turns(ctx context.Context, q querier, id, owner, lock string) ([]magi.Turn, error) {
	rows, err := q.Query(ctx, turnsQuery+lock, id, owner)
	if err != nil {
		return nil, wrap("conversation", err)
	}
	defer rows.Close()
	var out []magi.Turn
	for rows.Next() {
		var t magi.Turn
		var last []byte
		if err := journal.ScanSummary(rows.Scan, &t.Summary, &t.Owner, &last); err != nil {
			return nil, wrap("conversation", err)
		}
		if err := journal.Turn(&t, last); err != nil {
			return nil, wrap("conversation", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("conversation", err)
	}
	if len(out) == 0 {
		return nil, journal.NotFound()
	}
	return out, nil
}

// DeleteConversation removes every turn of the conversation of
// deliberation id, and their events, unless one still runs. A follow-up
// created meanwhile (its parent locked FOR SHARE until it commits) makes
// it a conflict: the conversation is not half deleted.
func (d *DB) DeleteConversation(ctx context.Context, id, owner string) ([]string, error) {
	var ids []string
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		ts, err := turns(ctx, tx, id, owner, " FOR UPDATE OF deliberations")
		if err != nil {
			return err
		}
		ids = make([]string, len(ts))
		for i, t := range ts {
			if t.Status == magi.StatusRunning {
				return journal.RunningTurn(t.ID)
			}
			ids[i] = t.ID
		}
		tag, err := tx.Exec(ctx, `DELETE FROM deliberations WHERE conversation_id = $1`, ts[0].ConversationID) // events cascade
		if err != nil {
			return wrap("delete", err)
		}
		if tag.RowsAffected() != int64(len(ids)) {
			return magi.Errorf(magi.ECONFLICT, "a follow-up was added to the conversation meanwhile: delete it again")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}
