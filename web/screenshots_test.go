package web_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestScreenshots takes the README's screenshots from the real page on the
// simulated council (web/e2e/screenshots.mjs) and checks each is a PNG of
// the size asked. With MAGI_SCREENSHOTS=docs/screenshots (a path from the
// repository's root) it regenerates the committed ones; without, it writes
// them to a temporary directory, so CI proves the script still works.
func TestScreenshots(t *testing.T) {
	root := needBrowser(t)
	tmp := t.TempDir()
	dir := os.Getenv("MAGI_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(tmp, "screenshots")
	} else if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	e2e := filepath.Join(root, "web", "e2e")
	npmCI(t, e2e)
	sim := serve(t, tmp, "shots", "MAGI_PROVIDER", "sim", "MAGI_SIM_PACE", "0")

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	node := exec.CommandContext(ctx, "node", "web/e2e/screenshots.mjs")
	node.Dir = root
	node.Env = append(os.Environ(), "MAGI_SIM_URL="+sim, "MAGI_URL="+sim, "MAGI_SCREENSHOTS="+dir, "CHROMIUM="+chromium)
	out, err := node.CombinedOutput()
	t.Logf("node web/e2e/screenshots.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("screenshots: %v", err)
	}
	want := map[string][2]uint32{"desktop": {1366, 768}, "rounds": {1366, 768}, "conversation": {1366, 768}, "japanese": {1366, 768}, "phone": {390, 844}}
	for name, size := range want {
		b, err := os.ReadFile(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(b) < 24 || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("%s.png is not a PNG", name)
			continue
		}
		if w, h := binary.BigEndian.Uint32(b[16:20]), binary.BigEndian.Uint32(b[20:24]); w != size[0] || h != size[1] {
			t.Errorf("%s.png is %d×%d, want %d×%d", name, w, h, size[0], size[1])
		}
	}
}
