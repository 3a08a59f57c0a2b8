package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/magitest"
)

// TestServe_HistoryExportDelete pages the history, exports minutes in both
// formats, and deletes: 409 while running, 204 once finished, then 404.
func TestServe_HistoryExportDelete(t *testing.T) {
	_, url := magitest.StartFake(t, fakellm.Config{Words: 6, Gap: 2 * time.Millisecond})
	p := startMagi(t, openaiEnv(url))
	var ids []string
	for i := range 3 {
		id := magitest.StartDeliberation(t, p.URL, fmt.Sprintf("Question %d?", i))
		if i == 0 {
			magitest.DoJSON(t, http.MethodDelete, p.URL+"/api/deliberations/"+id, "", http.StatusConflict, nil)
		}
		if rec := magitest.WaitStatus(t, p.URL, id, 10*time.Second); rec.Status != magi.StatusCompleted {
			t.Fatalf("status %s", rec.Status)
		}
		ids = append(ids, id)
	}
	var page magi.Page
	magitest.DoJSON(t, http.MethodGet, p.URL+"/api/deliberations?limit=2", "", http.StatusOK, &page)
	if len(page.Items) != 2 || page.Items[0].ID != ids[2] || page.Items[1].ID != ids[1] || page.NextCursor == "" {
		t.Fatalf("first page %+v, want the two newest and a next_cursor", page)
	}
	var next magi.Page
	magitest.DoJSON(t, http.MethodGet, p.URL+"/api/deliberations?limit=2&cursor="+page.NextCursor, "", http.StatusOK, &next)
	if len(next.Items) != 1 || next.Items[0].ID != ids[0] || next.NextCursor != "" {
		t.Fatalf("second page %+v, want the oldest and no cursor", next)
	}

	md, header := get(t, p.URL+"/api/deliberations/"+ids[0]+"/export?format=md")
	if !strings.HasPrefix(header.Get("Content-Type"), "text/markdown") || !strings.Contains(md, "Question 0?") ||
		header.Get("Content-Disposition") != `attachment; filename="magi-`+ids[0]+`.md"` {
		t.Errorf("md export: %s %q\n%s", header.Get("Content-Type"), header.Get("Content-Disposition"), md)
	}
	js, _ := get(t, p.URL+"/api/deliberations/"+ids[0]+"/export?format=json")
	var rec magi.Record
	if err := json.Unmarshal([]byte(js), &rec); err != nil || rec.ID != ids[0] || rec.Status != magi.StatusCompleted {
		t.Errorf("json export: %v %s", err, js)
	}

	magitest.DoJSON(t, http.MethodDelete, p.URL+"/api/deliberations/"+ids[0], "", http.StatusNoContent, nil)
	checkErrorShape(t, magitest.DoJSON(t, http.MethodGet, p.URL+"/api/deliberations/"+ids[0], "", http.StatusNotFound, nil), "not_found")
	magitest.DoJSON(t, http.MethodGet, p.URL+"/api/deliberations", "", http.StatusOK, &page)
	if len(page.Items) != 2 {
		t.Errorf("history after a delete has %d items, want 2", len(page.Items))
	}
}

// get returns the body and headers of a 200 GET.
func get(t *testing.T, url string) (string, http.Header) {
	t.Helper()
	resp, err := magitest.Client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	return string(body), resp.Header
}
