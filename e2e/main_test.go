// Package e2e tests the real `magi` binary: it is built once, then each
// test starts `magi serve` as a child process in front of a fake
// OpenAI-compatible upstream (internal/fakellm) and talks to it over HTTP,
// as a user, a browser or a reverse proxy would. The process and SSE
// helpers are internal/magitest's.
package e2e

import (
	"os"
	"testing"

	"github.com/magi-system/magi/internal/magitest"
)

func TestMain(m *testing.M) {
	os.Exit(magitest.Main(m))
}

// openaiEnv is the environment that points magi at a fake upstream.
func openaiEnv(baseURL string) map[string]string {
	return map[string]string{"OPENAI_BASE_URL": baseURL, "MAGI_MODEL": "fake-model"}
}

// e2eEnv is a clean environment (magitest.Env) at debug log level, then
// env.
func e2eEnv(t *testing.T, env map[string]string) map[string]string {
	out := magitest.With(magitest.Env(t), "MAGI_LOG_LEVEL", "debug")
	for k, v := range env {
		out[k] = v
	}
	return out
}

// startMagi runs `magi serve --addr 127.0.0.1:0` with e2eEnv(env) and
// waits until it answers /healthz. It is stopped when the test ends.
func startMagi(t *testing.T, env map[string]string) *magitest.Proc {
	t.Helper()
	p := magitest.StartServe(t, e2eEnv(t, env))
	p.WaitHealthy(t)
	return p
}

// runMagi runs a magi command with e2eEnv(env) to a zero exit and returns
// its stdout.
func runMagi(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	return magitest.MustRun(t, e2eEnv(t, env), args...).Stdout
}
