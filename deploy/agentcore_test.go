package deploy

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/await"
)

// TestAgentCore_Dockerfile: the image is arm64, runs as a user other than
// root, and starts `magi serve` on 0.0.0.0:8080, the port it exposes.
func TestAgentCore_Dockerfile(t *testing.T) {
	d := dockerfile(t)
	if !slices.Contains(d.from, "--platform=linux/arm64") {
		t.Errorf("FROM %v, want --platform=linux/arm64", d.from)
	}
	if !slices.Equal(d.expose, []string{"8080"}) {
		t.Errorf("EXPOSE %v, want 8080", d.expose)
	}
	if u := strings.Split(d.user, ":")[0]; u == "" || u == "root" || u == "0" {
		t.Errorf("USER %q, want a non-root user", d.user)
	}
	args := d.command()
	if len(args) < 4 || args[0] != "/usr/local/bin/magi" || args[1] != "serve" {
		t.Fatalf("the container runs %v, want /usr/local/bin/magi serve …", args)
	}
	if i := slices.Index(args, "--addr"); i < 0 || i+1 >= len(args) || args[i+1] != "0.0.0.0:8080" {
		t.Errorf("the container runs %v, want --addr 0.0.0.0:8080", args)
	}
	if dst := d.copyDest(); dst != args[0] {
		t.Errorf("the binary is copied to %q but run as %q", dst, args[0])
	}
}

// TestAgentCore_Contract runs the real binary as the Dockerfile's command
// does, on loopback, and checks the AgentCore Runtime contract: /ping,
// and /invocations streaming a deliberation while /ping says HealthyBusy.
func TestAgentCore_Contract(t *testing.T) {
	base := startServe(t)
	began := time.Now().Unix()

	status, at := ping(t, base)
	if status != "Healthy" || at <= 0 {
		t.Errorf("idle /ping = %q, %d; want Healthy and a time", status, at)
	}

	resp, err := http.Post(base+"/invocations", "application/json",
		strings.NewReader(`{"prompt": "Should the team adopt a four-day week?"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("/invocations: %d %q, want 200 text/event-stream", resp.StatusCode, ct)
	}
	var events []magi.Event
	busy := ""
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var e magi.Event
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			t.Fatalf("event %q: %v", data, err)
		}
		events = append(events, e)
		if e.Type == magi.EventChunk && busy == "" {
			busy, _ = ping(t, base) // mid-deliberation: the sages are still writing
		}
		if e.Terminal() {
			break
		}
	}
	if len(events) < 3 || events[0].Type != magi.EventStart || events[len(events)-1].Type != magi.EventComplete {
		t.Fatalf("got %d events, want start … complete", len(events))
	}
	if !events[0].Simulated {
		t.Error("the sim council's start event is not marked simulated")
	}
	if busy != "HealthyBusy" {
		t.Errorf("/ping during the deliberation = %q, want HealthyBusy", busy)
	}
	await.Until(5*time.Second, func() bool { status, at = ping(t, base); return status == "Healthy" })
	if status != "Healthy" || at < began {
		t.Errorf("/ping after the deliberation = %q, %d; want Healthy, updated since %d", status, at, began)
	}
}

// startServe builds magi for this machine and runs the Dockerfile's
// command with its address moved to a free loopback port; it returns the
// base URL.
func startServe(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "magi")
	if b, err := exec.Command("go", "build", "-o", bin, "github.com/magi-system/magi/cmd/magi").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/magi: %v\n%s", err, b)
	}
	args := dockerfile(t).command()[1:]
	if i := slices.Index(args, "--addr"); i >= 0 && i+1 < len(args) {
		args[i+1] = "127.0.0.1:0"
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "MAGI_PROVIDER=sim", "MAGI_SIM_PACE=1ms",
		"MAGI_DB=" + filepath.Join(dir, "magi.db")}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if url, ok := strings.CutPrefix(sc.Text(), "MAGI listening on "); ok {
				addr <- url
			}
		}
	}()
	select {
	case url := <-addr:
		return url
	case <-time.After(30 * time.Second):
		t.Fatal("magi serve did not say where it listens")
		return ""
	}
}

// ping asks /ping and checks its shape: exactly a status and an integer
// time_of_last_update.
func ping(t *testing.T, base string) (string, int64) {
	t.Helper()
	resp, err := http.Get(base + "/ping")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 || len(body) != 2 {
		t.Fatalf("/ping: %d %v, %v", resp.StatusCode, body, err)
	}
	var status string
	var at int64
	if err := json.Unmarshal(body["status"], &status); err != nil {
		t.Fatalf("/ping status: %v", err)
	}
	if err := json.Unmarshal(body["time_of_last_update"], &at); err != nil {
		t.Fatalf("/ping time_of_last_update %s is not an integer: %v", body["time_of_last_update"], err)
	}
	return status, at
}
