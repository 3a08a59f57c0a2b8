package main

import (
	"strings"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/magitest"
)

// Helpers of this package's tests that run the real magi binary; the
// process, fake-upstream and SSE helpers they build on are
// internal/magitest's.

// simEnv is magitest.Env with the simulated council at a fast pace.
func simEnv(t *testing.T) map[string]string {
	env := magitest.Env(t)
	env["MAGI_PROVIDER"], env["MAGI_SIM_PACE"] = "sim", "1ms"
	return env
}

// fakeEnv points magi at the fake upstream at baseURL.
func fakeEnv(env map[string]string, baseURL string) map[string]string {
	return magitest.With(env, "OPENAI_BASE_URL", baseURL, "MAGI_MODEL", "fake")
}

// noESC fails the test if out holds an ESC byte (a colour or cursor
// sequence where plain text was due).
func noESC(t *testing.T, what, out string) {
	t.Helper()
	if i := strings.IndexByte(out, 0x1b); i >= 0 {
		t.Errorf("%s holds an ESC byte at %d: %q", what, i, out[max(0, i-20):min(len(out), i+20)])
	}
}

// chunks reports when n chunk events have arrived.
func chunks(n int) func(magi.Event) bool {
	seen := 0
	return func(e magi.Event) bool {
		if e.Type == magi.EventChunk {
			seen++
		}
		return seen >= n
	}
}

// isInterrupted reports whether e is the fatal `interrupted` error.
func isInterrupted(e magi.Event) bool {
	return e.Type == magi.EventError && e.Fatal && e.Code == magi.EINTERRUPTED
}
