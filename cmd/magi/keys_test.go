package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/sqlite"
)

// keysCmd runs `magi keys args…` in process on the database db.
func keysCmd(t *testing.T, db string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	getenv := func(k string) string {
		return map[string]string{"MAGI_DB": db, "HOME": t.TempDir(), "MAGI_PROVIDER": "sim"}[k]
	}
	err := run(t.Context(), append([]string{"keys"}, args...), getenv, strings.NewReader(""), &out, &out)
	return out.String(), err
}

func TestKeys_CreateListRevoke(t *testing.T) {
	db := filepath.Join(t.TempDir(), "magi.db")
	out, err := keysCmd(t, db, "list")
	if err != nil || !strings.Contains(out, "No API keys") {
		t.Fatalf("list of none: %v\n%s", err, out)
	}
	out, err = keysCmd(t, db, "create", "ci bot", "--admin")
	if err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	key := keyIn(t, out)
	if !strings.Contains(out, "cannot be shown again") {
		t.Errorf("create does not warn that the key is shown once:\n%s", out)
	}
	id, _ := magi.KeyID(key)

	st, err := sqlite.Open(context.Background(), db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	k, hash, err := st.KeyByID(t.Context(), id)
	st.Close()
	if err != nil || k.Name != "ci bot" || !k.Admin || !magi.KeyMatches(key, hash) {
		t.Fatalf("stored key = %+v, %v; want admin \"ci bot\" whose hash matches", k, err)
	}

	out, err = keysCmd(t, db, "list")
	if err != nil || !strings.Contains(out, id) || !strings.Contains(out, "ci bot") || strings.Contains(out, key[14:]) {
		t.Errorf("list: %v\n%s\nwant the id and name, never the secret", err, out)
	}
	if out, err := keysCmd(t, db, "revoke", id); err != nil || !strings.Contains(out, "Revoked key "+id) {
		t.Fatalf("revoke: %v\n%s", err, out)
	}
	out, _ = keysCmd(t, db, "list")
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, id) && strings.HasSuffix(strings.TrimSpace(line), "-") {
			t.Errorf("list after revoke shows no revocation time:\n%s", out)
		}
	}
}

func TestKeys_Errors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "magi.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"create"}, "name the key"},
		{[]string{"revoke"}, "name the key to revoke"},
		{[]string{"revoke", "0badc0de"}, `no API key with id "0badc0de"`},
		{[]string{"list", "--admin"}, "--admin goes with magi keys create"},
		{[]string{"rotate"}, `unknown keys command "rotate"`},
	} {
		_, err := keysCmd(t, db, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("keys %v: %v, want an error saying %q", tc.args, err, tc.want)
		}
	}
}
