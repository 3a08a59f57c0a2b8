package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/magitest"
)

// badRequest is one bad input and SPEC's answer to it.
type badRequest struct {
	name, method, path string
	header             map[string]string
	body               string
	status             int
	code               string
}

const jsonCT = "application/json"

func badRequests() []badRequest {
	h := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	ct := h("Content-Type", jsonCT)
	stream := h("Content-Type", jsonCT, "Accept", "text/event-stream")
	return []badRequest{
		{"bad JSON", "POST", "/api/deliberations", ct, `{"question": `, 400, "invalid"},
		{"bad JSON, streaming", "POST", "/api/deliberations", stream, `not json`, 400, "invalid"},
		{"wrong content type", "POST", "/api/deliberations", h("Content-Type", "text/plain"), `{"question": "hi"}`, 415, "unsupported"},
		{"form content type", "POST", "/api/deliberations", h("Content-Type", "application/x-www-form-urlencoded"), `question=hi`, 415, "unsupported"},
		{"empty question", "POST", "/api/deliberations", ct, `{"question": "   "}`, 400, "invalid"},
		{"no question", "POST", "/api/deliberations", ct, `{}`, 400, "invalid"},
		{"oversized question", "POST", "/api/deliberations", stream, `{"question": "` + strings.Repeat("x", 101) + `"}`, 400, "invalid"},
		{"unknown rule", "POST", "/api/deliberations", ct, `{"question": "hi", "rule": "dictator"}`, 400, "invalid"},
		{"wrong field type", "POST", "/api/deliberations", ct, `{"question": 42}`, 400, "invalid"},
		{"wrong rule type", "POST", "/api/deliberations", ct, `{"question": "hi", "rule": ["majority"]}`, 400, "invalid"},
		{"oversized body", "POST", "/api/deliberations", ct, `{"question": "hi", "pad": "` + strings.Repeat("x", 8000) + `"}`, 413, "too_large"},
		{"unknown id", "GET", "/api/deliberations/0123456789abcdef0123456789", nil, "", 404, "not_found"},
		{"unknown id events", "GET", "/api/deliberations/nope/events", h("Accept", "text/event-stream"), "", 404, "not_found"},
		{"unknown id export", "GET", "/api/deliberations/nope/export?format=md", nil, "", 404, "not_found"},
		{"unknown id cancel", "POST", "/api/deliberations/nope/cancel", nil, "", 404, "not_found"},
		{"unknown id delete", "DELETE", "/api/deliberations/nope", nil, "", 404, "not_found"},
		{"unknown route", "GET", "/api/nothing-here", nil, "", 404, "not_found"},
		{"malformed Last-Event-ID", "GET", "/api/deliberations/nope/events", h("Last-Event-ID", "abc"), "", 400, "invalid"},
		{"negative Last-Event-ID", "GET", "/api/deliberations/nope/events", h("Last-Event-ID", "-1"), "", 400, "invalid"},
		{"malformed last_event_id query", "GET", "/api/deliberations/nope/events?last_event_id=x", nil, "", 400, "invalid"},
		{"bad export format", "GET", "/api/deliberations/nope/export?format=pdf", nil, "", 400, "invalid"},
		{"bad list limit", "GET", "/api/deliberations?limit=0", nil, "", 400, "invalid"},
		{"invocations bad JSON", "POST", "/invocations", ct, `{"prompt":`, 400, "invalid"},
		{"invocations empty prompt", "POST", "/invocations", ct, `{"prompt": ""}`, 400, "invalid"},
		{"invocations oversized prompt", "POST", "/invocations", ct, `{"prompt": "` + strings.Repeat("y", 101) + `"}`, 400, "invalid"},
		{"invocations unknown rule", "POST", "/invocations", ct, `{"prompt": "hi", "rule": "coin"}`, 400, "invalid"},
		{"invocations oversized body", "POST", "/invocations", ct, `{"prompt": "hi", "pad": "` + strings.Repeat("x", 8000) + `"}`, 413, "too_large"},
	}
}

// TestServe_BadInput sends every kind of bad request to the real process:
// each gets SPEC's JSON error with the right status, and nothing is stored.
func TestServe_BadInput(t *testing.T) {
	fake, url := magitest.StartFake(t, fakellm.Config{})
	env := openaiEnv(url)
	env["MAGI_MAX_QUESTION_BYTES"] = "100"
	p := startMagi(t, env)
	for _, tc := range badRequests() {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			req, _ := http.NewRequest(tc.method, p.URL+tc.path, body)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := magitest.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tc.status, raw)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, jsonCT) {
				t.Errorf("Content-Type %q, want JSON", ct)
			}
			checkErrorShape(t, raw, tc.code)
		})
	}
	var page struct {
		Items []json.RawMessage `json:"items"`
	}
	raw := magitest.DoJSON(t, http.MethodGet, p.URL+"/api/deliberations", "", http.StatusOK, &page)
	if page.Items == nil || len(page.Items) != 0 {
		t.Errorf("history after bad requests = %s, want {\"items\": []}", raw)
	}
	if n := fake.Requests(); n != 0 {
		t.Errorf("the model was called %d times by bad requests", n)
	}
}

// checkErrorShape asserts raw is exactly {"error": {"code", "message"}}.
func checkErrorShape(t *testing.T, raw []byte, code string) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var e struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := dec.Decode(&e); err != nil || e.Error == nil {
		t.Fatalf("body %s is not {\"error\": {\"code\", \"message\"}}: %v", raw, err)
	}
	if e.Error.Code != code || e.Error.Message == "" {
		t.Errorf("error %+v, want code %q and a message", *e.Error, code)
	}
	if strings.Contains(e.Error.Message, "goroutine") || strings.Contains(e.Error.Message, ".go:") {
		t.Errorf("error message leaks internals: %q", e.Error.Message)
	}
}

// TestServe_TooManyRunning: over MAGI_MAX_RUNNING a new deliberation gets
// 429 with Retry-After, and is not stored.
func TestServe_TooManyRunning(t *testing.T) {
	_, url := magitest.StartFake(t, fakellm.Config{Words: 100, Gap: 10 * time.Millisecond})
	env := openaiEnv(url)
	env["MAGI_MAX_RUNNING"] = "1"
	p := startMagi(t, env)
	id := magitest.StartDeliberation(t, p.URL, "The only one")
	req, _ := http.NewRequest(http.MethodPost, p.URL+"/api/deliberations", strings.NewReader(`{"question": "One more?"}`))
	req.Header.Set("Content-Type", jsonCT)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := magitest.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("second deliberation: %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	checkErrorShape(t, raw, "rate_limited")
	magitest.DoJSON(t, http.MethodPost, p.URL+"/api/deliberations/"+id+"/cancel", "", http.StatusAccepted, nil)
	var page struct {
		Items []json.RawMessage `json:"items"`
	}
	magitest.DoJSON(t, http.MethodGet, p.URL+"/api/deliberations", "", http.StatusOK, &page)
	if len(page.Items) != 1 {
		t.Errorf("history has %d deliberations, want only the first", len(page.Items))
	}
}

// TestServe_OneKeyCannotTakeEverySlot: by default one key may run half of
// MAGI_MAX_RUNNING at once; over it, 429 naming the share, while another
// key still starts.
func TestServe_OneKeyCannotTakeEverySlot(t *testing.T) {
	_, url := magitest.StartFake(t, fakellm.Config{Words: 200, Gap: 10 * time.Millisecond})
	env := openaiEnv(url)
	env["MAGI_MAX_RUNNING"] = "4"
	env["MAGI_DB"] = filepath.Join(t.TempDir(), "share.db")
	alice, bob := createKey(t, env, "alice"), createKey(t, env, "bob")
	p := startMagi(t, env)
	api := p.URL + "/api/deliberations"
	var ids []string
	for range 2 {
		status, _, raw := call(t, http.MethodPost, api, alice, `{"question": "Mine?"}`)
		var v struct{ ID string }
		if status != http.StatusAccepted || json.Unmarshal(raw, &v) != nil {
			t.Fatalf("alice's deliberation: %d %s", status, raw)
		}
		ids = append(ids, v.ID)
	}
	status, h, raw := call(t, http.MethodPost, api, alice, `{"question": "All of them?"}`)
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Errorf("alice's third: %d, Retry-After %q; want 429 with Retry-After", status, h.Get("Retry-After"))
	}
	checkErrorShape(t, raw, "rate_limited")
	if !strings.Contains(string(raw), "2 deliberations at once (50% of this server's 4 running slots; MAGI_QUOTA_CONCURRENT) for key alice") {
		t.Errorf("the 429 does not name the share: %s", raw)
	}
	if status, _, raw := call(t, http.MethodPost, api, bob, `{"question": "Mine?"}`); status != http.StatusAccepted {
		t.Errorf("bob's deliberation: %d %s, want 202", status, raw)
	}
	for _, id := range ids {
		call(t, http.MethodPost, api+"/"+id+"/cancel", alice, "")
	}
}
