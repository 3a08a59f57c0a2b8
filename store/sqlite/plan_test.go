package sqlite

import (
	"context"
	"github.com/magi-system/magi/store/internal/journal"
	"strings"
	"testing"
)

// A conversation's turns are read from the conversation index, never by a
// scan of the history, and so is each history line's count of turns.
func TestSQLite_ConversationUsesItsIndex(t *testing.T) {
	db, err := Open(context.Background(), Memory, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for name, q := range map[string]string{
		"Conversation":      turnsQuery,
		"a history page":    `SELECT ` + journal.SummaryColumns + ` FROM deliberations WHERE owner = 'k' ORDER BY created_at DESC, id DESC LIMIT 21`,
		"a follow-up check": `SELECT 1 FROM deliberations WHERE parent_id = 'x' LIMIT 1`,
	} {
		rows, err := db.db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, "x", "")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		text := strings.Join(plan, "\n")
		t.Logf("%s:\n%s", name, text)
		if strings.Contains(text, "SCAN deliberations") || strings.Contains(text, "SCAN t") {
			t.Errorf("%s scans the deliberations:\n%s", name, text)
		}
		if name != "a history page" && !strings.Contains(text, "deliberations_conversation") && !strings.Contains(text, "deliberations_followups") {
			t.Errorf("%s does not use the conversation indexes:\n%s", name, text)
		}
	}
}
