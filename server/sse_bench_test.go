package server

import (
	"net/http"
	"testing"
	"time"

	"github.com/magi-system/magi"
)

// discardWriter is an http.ResponseWriter and Flusher that keeps nothing,
// so the benchmarks measure the framing, not a socket.
type discardWriter struct {
	h http.Header
	n int64
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { d.n += int64(len(p)); return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Flush()                      {}

// chunk is the commonest event, encoded as the journal encodes it.
func chunk(b *testing.B) magi.Encoded {
	x, err := magi.Encode(magi.Event{Type: magi.EventChunk, DeliberationID: "01JDQ4ZK2X7Y8Z9A0B1C2D3E4F", Seq: 1234,
		Timestamp: time.Date(2026, 11, 25, 12, 0, 0, 123e6, time.UTC), Agent: magi.Melchior, Content: " the evidence"})
	if err != nil {
		b.Fatal(err)
	}
	return x
}

// BenchmarkSSE_Frame writes one encoded chunk to a stream: what a stream
// does for each event (the journal encoded it once, for every stream).
func BenchmarkSSE_Frame(b *testing.B) {
	x := chunk(b)
	w := &discardWriter{h: http.Header{}}
	s := newSSE(w, DefaultStreamWriteTimeout)
	b.ReportAllocs()
	start := w.n
	for b.Loop() {
		if err := s.Event(x.Event.Seq, x.JSON); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes((w.n - start) / int64(b.N))
}

// BenchmarkSSE_FanOut100 is one chunk written to 100 streams, as the
// server does for 100 subscribers of one deliberation: encoded once, by
// the journal, framed by each stream.
func BenchmarkSSE_FanOut100(b *testing.B) {
	x := chunk(b)
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
