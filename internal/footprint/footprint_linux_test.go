package footprint

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestRelease: after Release, less of the executable is resident, and the
// code still runs (pages come back on use).
func TestRelease(t *testing.T) {
	before := rssFile(t)
	if n := releaseExecutable(); n == 0 {
		t.Fatal("no mapping of the executable was released")
	}
	after := rssFile(t)
	if after >= before {
		t.Errorf("RssFile %d kB before, %d kB after: nothing unmapped", before, after)
	}
	t.Logf("RssFile %d kB → %d kB", before, after)
	Release() // and again, with the heap: still running
	if strings.Repeat("ok", 2) != "okok" {
		t.Fatal("the code after Release misbehaved")
	}
}

// rssFile is the resident file-backed memory of this process, in kB.
func rssFile(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "RssFile:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}
