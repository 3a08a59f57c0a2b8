// Package magitest runs the real magi binary for tests: it builds
// ./cmd/magi once per test binary, gives each process a clean
// environment, runs one-shot commands and `magi serve` as child
// processes, serves a fake OpenAI-compatible upstream, and reads the
// server's event streams as an SSE client would. The tests of e2e/,
// cmd/magi and web/ share it.
package magitest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	buildDir  string
	binPath   string
	buildErr  error
)

// Build returns the path of the magi binary, building ./cmd/magi the first
// time a test of this test binary asks for it; it fails tb if the build
// failed. Main removes the binary when the tests end.
func Build(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(build)
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binPath
}

// Main is the TestMain of a package whose tests run magi: it runs the
// tests of m, removes the binary Build made, if any, and returns the exit
// code for os.Exit.
func Main(m *testing.M) int {
	defer func() {
		if buildDir != "" {
			os.RemoveAll(buildDir)
		}
	}()
	return m.Run()
}

func build() {
	root, err := moduleRoot()
	if err != nil {
		buildErr = err
		return
	}
	if buildDir, err = os.MkdirTemp("", "magitest-"); err != nil {
		buildErr = err
		return
	}
	if err := os.Chmod(buildDir, 0o755); err != nil { // StartServeAs runs it as another user
		buildErr = err
		return
	}
	bin := filepath.Join(buildDir, "magi")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/magi")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		buildErr = fmt.Errorf("go build ./cmd/magi: %v\n%s", err, out)
		return
	}
	binPath = bin
}

// moduleRoot is the nearest directory above the working directory that
// holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("magitest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Env is a process environment with nothing of the user's but PATH: HOME
// and XDG_DATA_HOME in a temporary directory of the test, and MAGI_DB a
// SQLite file there.
func Env(tb testing.TB) map[string]string {
	dir := tb.TempDir()
	return map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": filepath.Join(dir, "home"),
		"XDG_DATA_HOME": filepath.Join(dir, "data"), "MAGI_DB": filepath.Join(dir, "magi.db"),
	}
}

// With returns a copy of env with the pairs k1, v1, k2, v2 … set.
func With(env map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(env)+len(kv)/2)
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// Environ is env as exec.Cmd.Env wants it, KEY=value.
func Environ(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// Context is a context that ends with the test or after d.
func Context(tb testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(tb.Context(), d)
	tb.Cleanup(cancel)
	return ctx
}
