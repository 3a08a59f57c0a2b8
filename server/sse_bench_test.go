package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
)

// discardWriter is an http.ResponseWriter and Flusher that keeps nothing,
// so the benchmarks measure the encoding, not a socket.
type discardWriter struct {
	h http.Header
	n int64
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { d.n += int64(len(p)); return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Flush()                      {}

// benchEvent encodes e and writes it to one stream, b.N times: what the
// journal does once per event and a stream does for each.
func benchEvent(b *testing.B, e magi.Event) {
	w := &discardWriter{h: http.Header{}}
	s := newSSE(w, DefaultStreamWriteTimeout)
	var data []byte
	b.ReportAllocs()
	start := w.n
	for b.Loop() {
		var err error
		if data, err = e.AppendJSON(data[:0]); err != nil {
			b.Fatal(err)
		}
		if err := s.Event(e.Seq, data); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes((w.n - start) / int64(b.N))
}

// BenchmarkSSE_Chunk encodes the commonest event: a chunk of a few words.
func BenchmarkSSE_Chunk(b *testing.B) {
	benchEvent(b, magi.Event{Type: magi.EventChunk, DeliberationID: "01JDQ4ZK2X7Y8Z9A0B1C2D3E4F", Seq: 1234,
		Timestamp: time.Date(2026, 11, 25, 12, 0, 0, 123e6, time.UTC), Agent: magi.Melchior, Content: " the evidence"})
}

// BenchmarkSSE_LongChunk encodes a 4 KB chunk with characters JSON must
// escape.
func BenchmarkSSE_LongChunk(b *testing.B) {
	benchEvent(b, magi.Event{Type: magi.EventChunk, DeliberationID: "01JDQ4ZK2X7Y8Z9A0B1C2D3E4F", Seq: 1234,
		Timestamp: time.Now(), Agent: magi.Casper, Content: strings.Repeat("日本語 \"quoted\" <b>\n", 180)})
}

// BenchmarkSSE_Complete encodes the final event, with votes and scores.
func BenchmarkSSE_Complete(b *testing.B) {
	benchEvent(b, magi.Event{Type: magi.EventComplete, DeliberationID: "01JDQ4ZK2X7Y8Z9A0B1C2D3E4F", Seq: 400,
		Timestamp: time.Now(), Outcome: &magi.Outcome{Decision: magi.Conditional, Rule: magi.Majority},
		Scores: map[magi.AgentID]int{magi.Melchior: 80, magi.Balthasar: 65, magi.Casper: 72},
		Usage:  &magi.Usage{InputTokens: 1200, OutputTokens: 900}, DurationMS: 21000})
}

// BenchmarkSSE_FanOut100 is one chunk written to 100 streams, as the
// server does for 100 subscribers of one deliberation: encoded once, by
// the journal, framed by each stream.
func BenchmarkSSE_FanOut100(b *testing.B) {
	x, err := magi.Encode(magi.Event{Type: magi.EventChunk, DeliberationID: "01JDQ4ZK2X7Y8Z9A0B1C2D3E4F", Seq: 1234,
		Timestamp: time.Now(), Agent: magi.Melchior, Content: " the evidence"})
	if err != nil {
		b.Fatal(err)
	}
	streams := make([]*sseWriter, 100)
	for i := range streams {
		streams[i] = newSSE(&discardWriter{h: http.Header{}}, DefaultStreamWriteTimeout)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range streams {
			if err := s.Event(x.Event.Seq, x.JSON); err != nil {
				b.Fatal(err)
			}
		}
	}
}
