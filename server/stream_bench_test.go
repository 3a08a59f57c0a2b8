package server

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// BenchmarkStream_OpenMemory measures what one open, waiting event stream
// costs the server: the Go heap and goroutine stacks it holds (after a GC),
// per stream, with 1,000 streams open on one running deliberation. The
// clients are bare TCP connections that read only the response headers,
// so they hold no goroutine and almost no memory of their own. Kernel
// socket buffers are not counted: the bench's "RSS per stream" adds GC
// headroom on top of this. The figures are those of the first round, on
// a fresh server (later rounds reuse goroutines the first one left).
func BenchmarkStream_OpenMemory(b *testing.B) {
	const n = 1000
	url, id := runningDeliberation(b)
	addr := strings.TrimPrefix(url, "http://")
	first := true
	for b.Loop() {
		before := memNow()
		conns := make([]net.Conn, 0, n)
		for range n {
			conns = append(conns, openStream(b, addr, id))
		}
		after := memNow()
		if first {
			b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-B/stream")
			b.ReportMetric(float64(after.StackInuse-before.StackInuse)/n, "stack-B/stream")
			b.ReportMetric(float64(after.NumGoroutine-before.NumGoroutine)/n, "goroutines/stream")
			first = false
		}
		for _, c := range conns {
			c.Close()
		}
	}
}

// memStats is what BenchmarkStream_OpenMemory compares.
type memStats struct {
	HeapAlloc, StackInuse uint64
	NumGoroutine          int
}

func memNow() memStats {
	runtime.GC()
	runtime.GC() // a second cycle shrinks the stacks the first found oversized
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memStats{m.HeapAlloc, m.StackInuse, runtime.NumGoroutine()}
}

// openStream opens the event stream of id over a bare connection and
// returns once its headers have arrived.
func openStream(b *testing.B, addr, id string) net.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	req := "GET /api/deliberations/" + id + "/events HTTP/1.1\r\nHost: " + addr + "\r\nAccept: text/event-stream\r\n\r\n"
	if _, err := c.Write([]byte(req)); err != nil {
		b.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(c, 512), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("open stream: %v %v", resp, err)
	}
	return c
}

// runningDeliberation starts a server whose model waits an hour before
// each word, and one deliberation on it.
func runningDeliberation(b *testing.B) (url, id string) {
	ts := wiredServer(b, time.Hour, Options{}, nil)
	resp, err := http.Post(ts.URL+"/api/deliberations", "application/json", strings.NewReader(`{"question":"q"}`))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var created createResponse
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil || created.ID == "" {
		b.Fatalf("create: %v %+v", err, created)
	}
	return ts.URL, created.ID
}
