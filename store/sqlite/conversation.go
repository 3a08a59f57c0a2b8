package sqlite

import (
	"context"
	"database/sql"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

// turnsQuery selects the turns of the conversation of a deliberation
// (?1), oldest first, of an owner (?2, ” for any), each with its last
// event: one range of the conversation index, and one primary-key lookup
// of an event per turn.
const turnsQuery = `SELECT ` + journal.SummaryColumns + `, owner, e.data
	FROM deliberations LEFT JOIN events e ON e.deliberation_id = deliberations.id AND e.seq = deliberations.last_seq
	WHERE conversation_id = (SELECT conversation_id FROM deliberations WHERE id = ?1) AND (?2 = '' OR owner = ?2)
	ORDER BY created_at, id`

// Conversation returns the turns of the conversation of deliberation id.
func (d *DB) Conversation(ctx context.Context, id, owner string) ([]magi.Turn, error) {
	return turns(ctx, d.db, id, owner)
}

func turns(ctx context.Context, q querier, id, owner string) ([]magi.Turn, error) {
	rows, err := q.QueryContext(ctx, turnsQuery, id, owner)
	if err != nil {
		return nil, wrap("conversation", err)
	}
	defer func() { _ = rows.Close() }()
	var out []magi.Turn
	for rows.Next() {
		var t magi.Turn
		var last sql.NullString
		if err := journal.ScanSummary(rows.Scan, &t.Summary, &t.Owner, &last); err != nil {
			return nil, wrap("conversation", err)
		}
		if err := journal.Turn(&t, []byte(last.String)); err != nil {
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
// deliberation id, and their events, unless one still runs.
func (d *DB) DeleteConversation(ctx context.Context, id, owner string) ([]string, error) {
	tx, err := d.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: no turn is added meanwhile
	if err != nil {
		return nil, wrap("delete", err)
	}
	defer func() { _ = tx.Rollback() }()
	ts, err := turns(ctx, tx, id, owner)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(ts))
	for i, t := range ts {
		if t.Status == magi.StatusRunning {
			return nil, journal.RunningTurn(t.ID)
		}
		ids[i] = t.ID
	}
	for _, q := range []string{
		`DELETE FROM events WHERE deliberation_id IN
			(SELECT id FROM deliberations WHERE conversation_id = ?1 AND (?2 = '' OR owner = ?2))`,
		`DELETE FROM deliberations WHERE conversation_id = ?1 AND (?2 = '' OR owner = ?2)`,
	} {
		if _, err := tx.ExecContext(ctx, q, ts[0].ConversationID, owner); err != nil {
			return nil, wrap("delete", err)
		}
	}
	return ids, wrap("delete", tx.Commit())
}
