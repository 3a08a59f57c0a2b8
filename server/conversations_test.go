package server_test

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/signin"
)

// promptLog is a model that records every prompt it is sent and answers
// with a verdict at once, or, for a question marked [hold], once ctx ends.
type promptLog struct {
	mu      sync.Mutex
	prompts []magi.Request
}

func (p *promptLog) Stream(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
	p.mu.Lock()
	p.prompts = append(p.prompts, req)
	p.mu.Unlock()
	return func(yield func(magi.Delta, error) bool) {
		if strings.Contains(req.Prompt, "[hold]") {
			<-ctx.Done()
			yield(magi.Delta{}, &magi.ProviderError{Kind: magi.KindCancelled, Provider: "fake", Model: "m", Err: ctx.Err()})
			return
		}
		text := "Weighed.\n" + `{"decision": "CONDITIONAL", "confidence": 0.8, "summary": "Pilot it with one team first.", "conditions": ["output is measured"], "scores": {"melchior": 70, "balthasar": 60, "casper": 50}}`
		if yield(magi.Delta{Text: text}, nil) {
			yield(magi.Delta{Usage: &magi.Usage{InputTokens: 10, OutputTokens: 20}}, nil)
		}
	}
}

// of returns the prompts whose question (the last line of the prompt) is q.
func (p *promptLog) of(q string) []magi.Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []magi.Request
	for _, r := range p.prompts {
		if strings.Contains(r.Prompt, "The question put to the MAGI council:\n\n"+q) ||
			strings.Contains(r.Prompt, "The question put to the council:\n\n"+q) {
			out = append(out, r)
		}
	}
	return out
}

// askFollow starts a deliberation of question as key, following up parent when
// not empty, and returns the reply.
func (ps *privServer) askFollow(t *testing.T, key, question, parent string) reply {
	t.Helper()
	body := map[string]any{"question": question}
	if parent != "" {
		body["follow_up"] = parent
	}
	b, _ := json.Marshal(body)
	return ps.do(t, "POST", "/api/deliberations", key, string(b))
}

// started is the id and conversation of the deliberation r started.
func started(t *testing.T, r reply) (id, conversation string) {
	t.Helper()
	var w struct {
		ID             string `json:"id"`
		ConversationID string `json:"conversation_id"`
	}
	if r.status != http.StatusAccepted || json.Unmarshal([]byte(r.body), &w) != nil || w.ID == "" {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	return w.ID, w.ConversationID
}

// count is how many deliberations the store holds, of every owner.
func (ps *privServer) count(t *testing.T) int {
	t.Helper()
	page, err := ps.store.List(t.Context(), magi.ListFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Items)
}

// A follow-up continues its parent's conversation: every agent is sent
// the earlier question and decision, an unrelated deliberation is not;
// the conversation reads back as its turns, oldest first, from the id of
// any of them; the history counts its turns; its export covers every
// turn; a turn with a follow-up is not deleted alone, the conversation is.
func TestConversations_FollowUp(t *testing.T) {
	model := &promptLog{}
	ps := newPrivServer(t, privOptions{provider: model})
	_, alice := ps.addKey(t, "alice", false)

	first, conv := started(t, ps.askFollow(t, alice, "Adopt a four-day week?", ""))
	if conv != first {
		t.Errorf("a first question's conversation is %q, want its own id %q", conv, first)
	}
	ps.finish(t, alice, first)
	second, conv := started(t, ps.askFollow(t, alice, "What if only for the support team?", first))
	if conv != first {
		t.Errorf("the follow-up's conversation is %q, want %q", conv, first)
	}
	events := ps.do(t, "GET", "/api/deliberations/"+second+"/events", alice, "")
	if !strings.Contains(events.body, `"conversation_id":"`+first+`","parent_id":"`+first+`","turn":2`) {
		t.Errorf("the follow-up's start event lacks its conversation: %.400s", events.body)
	}
	third, _ := started(t, ps.askFollow(t, alice, "Then how do we measure it?", second))
	ps.finish(t, alice, third)
	unrelated, _ := started(t, ps.askFollow(t, alice, "Buy a new printer?", ""))
	ps.finish(t, alice, unrelated)

	// What the model was sent: 3 sages + SOLOMON (one round: they agree).
	calls := model.of("Then how do we measure it?")
	if len(calls) != 4 {
		t.Fatalf("the third turn made %d calls, want 4", len(calls))
	}
	for _, c := range calls {
		for _, want := range []string{"Adopt a four-day week?", "What if only for the support team?", "Decision: CONDITIONAL",
			"Pilot it with one team first.", "output is measured", "<<<TURN n=1 ", "<<<TURN n=2 "} {
			if !strings.Contains(c.Prompt, want) {
				t.Errorf("%s's prompt of the third turn lacks %q", c.Agent, want)
			}
		}
	}
	for _, c := range model.of("Buy a new printer?") {
		if strings.Contains(c.Prompt, "four-day") || strings.Contains(c.Prompt, "TURN") {
			t.Errorf("%s's prompt of an unrelated deliberation carries the conversation: %q", c.Agent, c.Prompt)
		}
	}

	// The conversation, from any of its turns.
	for _, from := range []string{first, second, third} {
		r := ps.do(t, "GET", "/api/conversations/"+from, alice, "")
		var c struct {
			ID    string        `json:"id"`
			Turns []magi.Record `json:"turns"`
		}
		if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &c) != nil {
			t.Fatalf("GET /api/conversations/%s: %d %.300s", from, r.status, r.body)
		}
		if c.ID != first || len(c.Turns) != 3 || c.Turns[0].ID != first || c.Turns[1].ID != second || c.Turns[2].ID != third {
			t.Fatalf("conversation from %s: id %s, %d turns", from, c.ID, len(c.Turns))
		}
		if t2 := c.Turns[1]; t2.ParentID != first || t2.ConversationID != first || t2.Turn != 2 || t2.Decision != magi.Conditional {
			t.Errorf("turn 2: parent %q conversation %q turn %d decision %s", t2.ParentID, t2.ConversationID, t2.Turn, t2.Decision)
		}
		if c.Turns[2].Turn != 3 || c.Turns[0].Turn != 1 || c.Turns[0].ParentID != "" {
			t.Errorf("turns numbered %d, %d; first parent %q", c.Turns[0].Turn, c.Turns[2].Turn, c.Turns[0].ParentID)
		}
	}

	// The history groups by conversation.
	var page magi.Page
	if r := ps.do(t, "GET", "/api/deliberations", alice, ""); json.Unmarshal([]byte(r.body), &page) != nil {
		t.Fatalf("history: %s", r.body)
	}
	for _, it := range page.Items {
		want := map[bool]int{true: 1, false: 3}[it.ID == unrelated]
		if wantConv := map[bool]string{true: unrelated, false: first}[it.ID == unrelated]; it.ConversationID != wantConv || it.Turns != want {
			t.Errorf("history item %s: conversation %q, %d turns; want %q, %d", it.ID, it.ConversationID, it.Turns, wantConv, want)
		}
	}
	if r := ps.do(t, "GET", "/api/deliberations", alice, ""); !strings.Contains(r.body, `"turns":3`) || !strings.Contains(r.body, `"parent_id":"`+first+`"`) {
		t.Errorf("history items lack turns or parent_id: %.300s", r.body)
	}

	// The export of the whole conversation.
	md := ps.do(t, "GET", "/api/deliberations/"+second+"/export?conversation=true", alice, "")
	if md.status != http.StatusOK || !strings.Contains(md.header.Get("Content-Disposition"), "magi-conversation-"+first+".md") {
		t.Fatalf("export md: %d %s", md.status, md.header.Get("Content-Disposition"))
	}
	i1, i2, i3 := strings.Index(md.body, "Adopt a four-day week?"), strings.Index(md.body, "## Turn 2: deliberation "+second), strings.Index(md.body, "## Turn 3: deliberation "+third)
	if i1 < 0 || i2 < i1 || i3 < i2 || strings.Count(md.body, "### Decision: 条件付 CONDITIONAL") != 3 {
		t.Errorf("the Markdown of the conversation lacks a turn or its decision, or has them out of order:\n%.1500s", md.body)
	}
	js := ps.do(t, "GET", "/api/deliberations/"+first+"/export?format=json&conversation=true", alice, "")
	if js.status != http.StatusOK || !strings.HasPrefix(js.body, `{"id":"`+first+`","turns":[`) {
		t.Errorf("export json: %d %.200s", js.status, js.body)
	}
	if r := ps.do(t, "GET", "/api/deliberations/"+first+"/export?conversation=maybe", alice, ""); r.status != http.StatusBadRequest {
		t.Errorf("export ?conversation=maybe: %d, want 400", r.status)
	}

	// Deleting: a turn with a follow-up is refused, naming the way; the
	// last turn alone is not; the conversation goes whole.
	for _, id := range []string{first, second} {
		r := ps.do(t, "DELETE", "/api/deliberations/"+id, alice, "")
		if r.status != http.StatusConflict || !strings.Contains(r.body, "/api/conversations/"+first) {
			t.Errorf("DELETE turn %s with a follow-up: %d %s, want 409 naming the conversation", id, r.status, r.body)
		}
	}
	if r := ps.do(t, "DELETE", "/api/deliberations/"+third, alice, ""); r.status != http.StatusNoContent {
		t.Errorf("DELETE the last turn: %d %s", r.status, r.body)
	}
	if r := ps.do(t, "DELETE", "/api/conversations/"+second, alice, ""); r.status != http.StatusNoContent {
		t.Fatalf("DELETE the conversation: %d %s", r.status, r.body)
	}
	for _, id := range []string{first, second} {
		if r := ps.do(t, "GET", "/api/deliberations/"+id, alice, ""); r.status != http.StatusNotFound {
			t.Errorf("GET turn %s after its conversation was deleted: %d", id, r.status)
		}
	}
	if r := ps.do(t, "GET", "/api/conversations/"+first, alice, ""); r.status != http.StatusNotFound {
		t.Errorf("GET the deleted conversation: %d", r.status)
	}
	if r := ps.do(t, "GET", "/api/deliberations/"+unrelated, alice, ""); r.status != http.StatusOK {
		t.Errorf("the unrelated deliberation: %d", r.status)
	}
}

// Only the owner follows up, reads or deletes a conversation: another key
// is told it does not exist; an admin reads and deletes it but cannot
// continue another's conversation. A follow-up of an unknown, running or
// cancelled deliberation, or with a malformed id, is refused naming why,
// and stores nothing.
func TestConversations_Refusals(t *testing.T) {
	ps := newPrivServer(t, privOptions{provider: &promptLog{}})
	_, admin := ps.addKey(t, "root", true)
	_, alice := ps.addKey(t, "alice", false)
	_, bob := ps.addKey(t, "bob", false)
	done, _ := started(t, ps.askFollow(t, alice, "Adopt a four-day week?", ""))
	ps.finish(t, alice, done)
	running, _ := started(t, ps.askFollow(t, alice, "[hold] Hire two people?", ""))
	cancelled, _ := started(t, ps.askFollow(t, alice, "[hold] Move office?", ""))
	if r := ps.do(t, "POST", "/api/deliberations/"+cancelled+"/cancel", alice, ""); r.status != http.StatusAccepted {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	if r := ps.do(t, "GET", "/api/deliberations/"+cancelled+"/events", alice, ""); !strings.Contains(r.body, `"code":"cancelled"`) {
		t.Fatalf("the cancelled one's stream: %s", r.body)
	}
	before := ps.count(t)
	for _, c := range []struct {
		name, key, parent string
		status            int
		says              string
	}{
		{"another key's", bob, done, http.StatusNotFound, "no deliberation " + done + " to follow up"},
		{"an admin, of another's", admin, done, http.StatusForbidden, "only its owner can follow it up"},
		{"unknown", alice, "0123456789abcdef0123456789", http.StatusNotFound, "to follow up"},
		{"running", alice, running, http.StatusConflict, "still running"},
		{"cancelled", alice, cancelled, http.StatusConflict, "ended cancelled"},
		{"malformed id", alice, "../../etc", http.StatusBadRequest, "follow_up must be the id"},
	} {
		r := ps.askFollow(t, c.key, "And then?", c.parent)
		if r.status != c.status || !strings.Contains(errorMessage(r), c.says) {
			t.Errorf("%s: %d %s, want %d saying %q", c.name, r.status, r.body, c.status, c.says)
		}
	}
	if r := ps.do(t, "POST", "/invocations", bob, `{"prompt": "And then?", "follow_up": "`+done+`"}`); r.status != http.StatusNotFound {
		t.Errorf("/invocations, another key's: %d %s", r.status, r.body)
	}
	if n := ps.count(t); n != before {
		t.Errorf("%d deliberations after the refused follow-ups, %d before: something was stored", n, before)
	}

	for _, p := range []string{"/api/conversations/" + done, "/api/deliberations/" + done + "/export?conversation=true"} {
		if r := ps.do(t, "GET", p, bob, ""); r.status != http.StatusNotFound || strings.Contains(r.body, "four-day") {
			t.Errorf("bob GET %s: %d %s, want a bare 404", p, r.status, r.body)
		}
		if r := ps.do(t, "GET", p, admin, ""); r.status != http.StatusOK {
			t.Errorf("admin GET %s: %d", p, r.status)
		}
	}
	for _, bad := range []string{"%FF%FE", strings.Repeat("a", 65)} {
		if r := ps.do(t, "GET", "/api/conversations/"+bad, alice, ""); r.status != http.StatusNotFound || r.errorCode() != "not_found" {
			t.Errorf("GET /api/conversations/%s: %d %s, want 404", bad, r.status, r.body)
		}
	}
	if r := ps.do(t, "DELETE", "/api/conversations/"+done, bob, ""); r.status != http.StatusNotFound {
		t.Errorf("bob DELETE alice's conversation: %d", r.status)
	}
	if r := ps.do(t, "DELETE", "/api/conversations/"+running, alice, ""); r.status != http.StatusConflict {
		t.Errorf("DELETE a conversation whose turn runs: %d %s, want 409", r.status, r.body)
	}
	if r := ps.do(t, "GET", "/api/deliberations/"+done, alice, ""); r.status != http.StatusOK {
		t.Fatalf("after bob's delete, alice's: %d", r.status)
	}
	if r := ps.do(t, "DELETE", "/api/conversations/"+done, admin, ""); r.status != http.StatusNoContent {
		t.Errorf("admin DELETE alice's conversation: %d %s", r.status, r.body)
	}
	// The follow-up stream of /invocations, of one's own.
	own, _ := started(t, ps.askFollow(t, alice, "Adopt it?", ""))
	ps.finish(t, alice, own)
	r := ps.do(t, "POST", "/invocations", alice, `{"prompt": "And then?", "follow_up": "`+own+`"}`)
	if r.status != http.StatusOK || !strings.Contains(r.body, `"parent_id":"`+own+`","turn":2`) || !strings.Contains(r.body, `"type":"complete"`) {
		t.Errorf("/invocations follow-up: %d %.300s", r.status, r.body)
	}
}

// Signed-in users own their conversations as keys do: alice follows up
// her own deliberation and reads its conversation; bob, signed in too,
// and an API key are told neither exists.
func TestConversations_SignedInOwner(t *testing.T) {
	ss := newSSOServer(t, signin.Config{}, privOptions{provider: &promptLog{}}, "")
	_, key := ss.addKey(t, "k", false)
	alice, bob := newBrowser(t, ss.url), newBrowser(t, ss.url)
	alice.signIn(ss.idp, "u-alice", "/")
	bob.signIn(ss.idp, "u-bob", "/")
	first := alice.create()
	if r := alice.do("GET", "/api/deliberations/"+first+"/events", "", false); !strings.Contains(r.body, `"type":"complete"`) {
		t.Fatalf("alice's stream: %d %s", r.status, r.body)
	}
	follow := `{"question": "And then?", "follow_up": "` + first + `"}`
	before := ss.count(t)
	if r := bob.do("POST", "/api/deliberations", follow, true); r.status != http.StatusNotFound {
		t.Errorf("bob follows up alice's: %d %s, want 404", r.status, r.body)
	}
	if r := ss.do(t, "POST", "/api/deliberations", key, follow); r.status != http.StatusNotFound {
		t.Errorf("a key follows up alice's: %d %s, want 404", r.status, r.body)
	}
	if n := ss.count(t); n != before {
		t.Errorf("the refused follow-ups stored %d deliberations", n-before)
	}
	r := alice.do("POST", "/api/deliberations", follow, true)
	second, _ := started(t, r)
	if r := alice.do("GET", "/api/deliberations/"+second+"/events", "", false); !strings.Contains(r.body, `"type":"complete"`) {
		t.Fatalf("the follow-up's stream: %d %s", r.status, r.body)
	}
	if r := alice.do("GET", "/api/conversations/"+second, "", false); r.status != http.StatusOK || !strings.Contains(r.body, `"turn":2`) {
		t.Errorf("alice reads her conversation: %d %.200s", r.status, r.body)
	}
	if r := bob.do("GET", "/api/conversations/"+second, "", false); r.status != http.StatusNotFound {
		t.Errorf("bob reads alice's conversation: %d", r.status)
	}
	if r := bob.do("DELETE", "/api/conversations/"+second, "", true); r.status != http.StatusNotFound {
		t.Errorf("bob deletes alice's conversation: %d", r.status)
	}
	if r := alice.do("DELETE", "/api/conversations/"+second, "", true); r.status != http.StatusNoContent {
		t.Errorf("alice deletes her conversation: %d %s", r.status, r.body)
	}
}
