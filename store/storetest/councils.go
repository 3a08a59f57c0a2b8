package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// RunCouncils runs the behaviour suite of magi.CouncilStore: open follows
// Run's contract and must return stores that are also CouncilStores.
func RunCouncils(t *testing.T, open func(t *testing.T) magi.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, func(*testing.T) magi.CouncilStore)
	}{
		{"CreateAndRead", testCouncilCreateAndRead},
		{"Duplicate", testCouncilDuplicate},
		{"ListOwnAndShared", testCouncilList},
		{"Update", testCouncilUpdate},
		{"Delete", testCouncilDelete},
		{"RefusedBeforeStored", testCouncilRefused},
	}
	councils := func(t *testing.T) magi.CouncilStore {
		t.Helper()
		cs, ok := open(t).(magi.CouncilStore)
		if !ok {
			t.Fatalf("%T is not a magi.CouncilStore", open(t))
		}
		return cs
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, councils) })
	}
}

// council is a saved council of owner at t0, with a document naming it.
func council(owner, name, persona string) magi.SavedCouncil {
	doc := `{"name":"` + name + `","agents":{"casper":{"persona":"` + persona + `"}}}`
	return magi.SavedCouncil{Name: name, Owner: owner, CreatedBy: owner, Doc: []byte(doc), CreatedAt: t0, UpdatedAt: t0}
}

func mustCreateCouncil(t *testing.T, s magi.CouncilStore, c magi.SavedCouncil) {
	t.Helper()
	if err := s.CreateCouncil(ctx(t), c); err != nil {
		t.Fatalf("CreateCouncil %s/%s: %v", c.Owner, c.Name, err)
	}
}

// names lists "owner/name" of councils, in order.
func names(cs []magi.SavedCouncil) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Owner+"/"+c.Name)
	}
	return out
}

func testCouncilCreateAndRead(t *testing.T, open func(*testing.T) magi.CouncilStore) {
	c := council("key-a", "frugal", "You count the cost. 日本語も。")
	mustCreateCouncil(t, open(t), c)
	// Another store on the same database (another process) reads it.
	got, err := open(t).CouncilByName(ctx(t), "key-a", "frugal")
	if err != nil {
		t.Fatalf("CouncilByName: %v", err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("CouncilByName (-want +got):\n%s", diff)
	}
	_, err = open(t).CouncilByName(ctx(t), "key-b", "frugal")
	wantCode(t, "another owner's council", err, magi.ENOTFOUND)
	_, err = open(t).CouncilByName(ctx(t), "", "frugal")
	wantCode(t, "a private council read as shared", err, magi.ENOTFOUND)
}

func testCouncilDuplicate(t *testing.T, open func(*testing.T) magi.CouncilStore) {
	s := open(t)
	mustCreateCouncil(t, s, council("key-a", "frugal", "one"))
	err := open(t).CreateCouncil(ctx(t), council("key-a", "frugal", "two"))
	wantCode(t, "the same owner and name again", err, magi.ECONFLICT)
	if got, _ := s.CouncilByName(ctx(t), "key-a", "frugal"); string(got.Doc) != string(council("key-a", "frugal", "one").Doc) {
		t.Errorf("a refused create changed the council: %s", got.Doc)
	}
	// The name is the owner's: another owner, and the shared scope, may use it.
	mustCreateCouncil(t, s, council("key-b", "frugal", "three"))
	mustCreateCouncil(t, s, council("", "frugal", "four"))
}

func testCouncilList(t *testing.T, open func(*testing.T) magi.CouncilStore) {
	s := open(t)
	for _, c := range []magi.SavedCouncil{
		council("key-a", "zeta", "z"), council("key-a", "alpha", "a"), council("key-b", "beta", "b"),
		council("", "shared-b", "s"), council("", "shared-a", "s"),
	} {
		mustCreateCouncil(t, s, c)
	}
	for _, tc := range []struct {
		owner string
		want  []string
	}{
		{"key-a", []string{"/shared-a", "/shared-b", "key-a/alpha", "key-a/zeta"}},
		{"key-b", []string{"/shared-a", "/shared-b", "key-b/beta"}},
		{"key-c", []string{"/shared-a", "/shared-b"}},
		{"", []string{"/shared-a", "/shared-b"}},
	} {
		got, err := open(t).Councils(ctx(t), tc.owner)
		if err != nil {
			t.Fatalf("Councils(%q): %v", tc.owner, err)
		}
		if diff := cmp.Diff(tc.want, names(got)); diff != "" {
			t.Errorf("Councils(%q) (-want +got):\n%s", tc.owner, diff)
		}
	}
	if got, err := open(t).Councils(ctx(t), "key-a"); err == nil && len(got) > 0 && string(got[2].Doc) != string(council("key-a", "alpha", "a").Doc) {
		t.Errorf("a listed council's document: %s", got[2].Doc)
	}
}

func testCouncilUpdate(t *testing.T, open func(*testing.T) magi.CouncilStore) {
	s := open(t)
	c := council("key-a", "frugal", "before")
	mustCreateCouncil(t, s, c)
	later := t0.Add(time.Hour)
	edit := council("key-a", "frugal", "after")
	edit.CreatedBy, edit.CreatedAt, edit.UpdatedAt = "someone-else", later, later
	if err := open(t).UpdateCouncil(ctx(t), edit); err != nil {
		t.Fatalf("UpdateCouncil: %v", err)
	}
	got, err := s.CouncilByName(ctx(t), "key-a", "frugal")
	if err != nil {
		t.Fatal(err)
	}
	want := c
	want.Doc, want.UpdatedAt = edit.Doc, later
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after UpdateCouncil (-want +got): the document and its time change, its creation stays\n%s", diff)
	}
	for _, tc := range []struct {
		what string
		c    magi.SavedCouncil
	}{
		{"an unknown council", council("key-a", "nope", "x")},
		{"another owner's council", council("key-b", "frugal", "x")},
		{"a private council as shared", council("", "frugal", "x")},
	} {
		wantCode(t, "UpdateCouncil of "+tc.what, s.UpdateCouncil(ctx(t), tc.c), magi.ENOTFOUND)
	}
}

func testCouncilDelete(t *testing.T, open func(*testing.T) magi.CouncilStore) {
	s := open(t)
	mustCreateCouncil(t, s, council("key-a", "frugal", "x"))
	mustCreateCouncil(t, s, council("", "frugal", "shared"))
	wantCode(t, "DeleteCouncil of another owner's", s.DeleteCouncil(ctx(t), "key-b", "frugal"), magi.ENOTFOUND)
	wantCode(t, "DeleteCouncil of an unknown council", s.DeleteCouncil(ctx(t), "key-a", "nope"), magi.ENOTFOUND)
	if err := open(t).DeleteCouncil(ctx(t), "key-a", "frugal"); err != nil {
		t.Fatalf("DeleteCouncil: %v", err)
	}
	_, err := s.CouncilByName(ctx(t), "key-a", "frugal")
	wantCode(t, "a deleted council", err, magi.ENOTFOUND)
	if _, err := s.CouncilByName(ctx(t), "", "frugal"); err != nil {
		t.Errorf("deleting key-a's frugal took the shared one too: %v", err)
	}
	wantCode(t, "DeleteCouncil twice", s.DeleteCouncil(ctx(t), "key-a", "frugal"), magi.ENOTFOUND)
}

// testCouncilRefused: what a store could not keep whole is refused with
// EINVALID before anything is stored.
func testCouncilRefused(t *testing.T, open func(*testing.T) magi.CouncilStore) {
	s := open(t)
	bad := map[string]magi.SavedCouncil{
		"a bad name":      council("key-a", "Not A Name", "x"),
		"an empty name":   council("key-a", "", "x"),
		"no document":     {Name: "empty", Owner: "key-a"},
		"a NUL":           {Name: "nul", Owner: "key-a", Doc: []byte("{\"x\":\"a\x00b\"}")},
		"invalid UTF-8":   {Name: "utf", Owner: "key-a", Doc: []byte("{\"x\":\"\xff\"}")},
		"a NUL in owner":  {Name: "owner", Owner: "a\x00b", Doc: []byte("{}")},
		"a too-long name": council("key-a", string(make([]byte, 65)), "x"),
	}
	for what, c := range bad {
		wantCode(t, "CreateCouncil of "+what, s.CreateCouncil(ctx(t), c), magi.EINVALID)
	}
	if got, err := s.Councils(ctx(t), "key-a"); err != nil || len(got) != 0 {
		t.Errorf("after refused creates: %v, %v; want none stored", names(got), err)
	}
}

// testCouncilInHistory: the council a deliberation was put to is on its
// history line.
func testCouncilInHistory(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	d := newDelib("withcouncil", t0, "key-a")
	d.Council = "frugal"
	if err := Create(context.Background(), s, d); err != nil {
		t.Fatal(err)
	}
	begin(t, s, "plain", t0.Add(time.Second), "key-a")
	if got, err := open(t).Summary(ctx(t), "withcouncil", ""); err != nil || got.Council != "frugal" {
		t.Errorf("Summary = %+v, %v; want council frugal", got, err)
	}
	p, err := s.List(ctx(t), magi.ListFilter{Owner: "key-a"})
	if err != nil || len(p.Items) != 2 || p.Items[0].Council != "" || p.Items[1].Council != "frugal" {
		t.Errorf("List = %+v, %v; want plain (no council), then withcouncil (frugal)", p.Items, err)
	}
}
