package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// TestLambda_RefusesLocalDisk: magi lambda will not keep deliberations on
// Lambda's disk, and says what to do instead.
func TestLambda_RefusesLocalDisk(t *testing.T) {
	for _, db := range []string{"", "/tmp/magi.db", "sqlite:///tmp/magi.db"} {
		env := map[string]string{"MAGI_DB": db, "MAGI_PROVIDER": "sim", "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
			"HOME": t.TempDir(), "XDG_DATA_HOME": t.TempDir()}
		err := run(context.Background(), []string{"lambda"}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "magi lambda needs MAGI_DB=postgres://") || !strings.Contains(err.Error(), "docs/DEPLOY.md") {
			t.Errorf("MAGI_DB=%q: err = %v, want the postgres requirement", db, err)
		}
	}
}

// TestLambda_OutsideLambda: with PostgreSQL but no Runtime API, it says
// where it runs, before touching the database.
func TestLambda_OutsideLambda(t *testing.T) {
	env := map[string]string{"MAGI_DB": "postgres://magi@127.0.0.1:1/magi", "MAGI_PROVIDER": "sim"}
	err := run(context.Background(), []string{"lambda"}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "AWS_LAMBDA_RUNTIME_API is not set") {
		t.Errorf("err = %v, want the Runtime API note", err)
	}
}
