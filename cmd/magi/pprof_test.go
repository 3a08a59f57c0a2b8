package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestServePprof_LoopbackOnly(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	stop := servePprof(func(string) string { return "127.0.0.1:0" }, log)
	defer stop()
	url := regexp.MustCompile(`url=(\S+)`).FindStringSubmatch(logs.String())
	if url == nil {
		t.Fatalf("no profile URL logged: %s", logs.String())
	}
	resp, err := http.Get(url[1] + "goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "goroutine profile") {
		t.Errorf("GET goroutine profile: %d %.80q", resp.StatusCode, body)
	}

	for _, addr := range []string{"0.0.0.0:0", ":6060", "example.com:6060"} {
		logs.Reset()
		servePprof(func(string) string { return addr }, log)()
		if !strings.Contains(logs.String(), "profiles not served") {
			t.Errorf("MAGI_PPROF=%s: not refused; log: %s", addr, logs.String())
		}
	}
	logs.Reset()
	servePprof(func(string) string { return "" }, log)()
	if logs.Len() != 0 {
		t.Errorf("MAGI_PPROF unset logged %q", logs.String())
	}
}
