package config

import (
	"strings"
	"testing"

	"github.com/magi-system/magi"
)

// The budget of a follow-up's context: built in, from MAGI_CONTEXT_BYTES,
// from the agents file over the environment; out of bounds it is refused
// naming the setting.
func TestLoad_ContextBytes(t *testing.T) {
	c, err := Load(Flags{}, env())
	if err != nil || c.ContextBytes != magi.DefaultContextBytes || c.Sources["context_bytes"] != "built-in" {
		t.Fatalf("built in: %d (%s), %v", c.ContextBytes, c.Sources["context_bytes"], err)
	}
	c, err = Load(Flags{}, env("MAGI_CONTEXT_BYTES", "4096"))
	if err != nil || c.ContextBytes != 4096 || c.Sources["context_bytes"] != "MAGI_CONTEXT_BYTES" {
		t.Fatalf("from the environment: %d (%s), %v", c.ContextBytes, c.Sources["context_bytes"], err)
	}
	path := writeAgents(t, "context_bytes: 16384\n")
	c, err = Load(Flags{ConfigPath: path}, env("MAGI_CONTEXT_BYTES", "4096"))
	if err != nil || c.ContextBytes != 16384 || c.Sources["context_bytes"] != path+": context_bytes" {
		t.Fatalf("from the file: %d (%s), %v", c.ContextBytes, c.Sources["context_bytes"], err)
	}
	for _, bad := range []string{"12", "1000000", "many"} {
		_, err := Load(Flags{}, env("MAGI_CONTEXT_BYTES", bad))
		if magi.ErrorCode(err) != magi.ECONFIG || !strings.Contains(err.Error(), "MAGI_CONTEXT_BYTES") {
			t.Errorf("MAGI_CONTEXT_BYTES=%s: %v, want a config error naming it", bad, err)
		}
	}
	_, err = Load(Flags{ConfigPath: writeAgents(t, "rounds: 2\ncontext_bytes: 100\n")}, env())
	if err == nil || !strings.Contains(err.Error(), ":2: context_bytes 100: use a number of bytes from 1024 to 65536") {
		t.Errorf("context_bytes: 100 in the file: %v", err)
	}
}
