package server

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/magi-system/magi"
)

// encodedChunk is a chunk as the journal hands it to subscribers: encoded
// once, its JSON in Encoded.
func encodedChunk(b *testing.B) magi.Event {
	e := magi.Event{Type: magi.EventChunk, DeliberationID: "01JDQ4ZK2X7Y8Z9A0B1C2D3E4F", Seq: 1234,
		Timestamp: time.Date(2026, 11, 25, 12, 0, 0, 123e6, time.UTC), Agent: magi.Melchior, Content: " the evidence"}
	data, err := json.Marshal(e)
	if err != nil {
		b.Fatal(err)
	}
	e.Encoded = data
	return e
}

// BenchmarkSSE_EncodedChunk writes a chunk the journal already encoded,
// the server's real path: framing and one write, no JSON.
func BenchmarkSSE_EncodedChunk(b *testing.B) {
	benchEvent(b, encodedChunk(b))
}

// BenchmarkSSE_EncodedFanOut100 writes one encoded chunk to 100 streams,
// as the server does for 100 subscribers of one deliberation.
func BenchmarkSSE_EncodedFanOut100(b *testing.B) {
	e := encodedChunk(b)
	streams := make([]*sseWriter, 100)
	for i := range streams {
		streams[i] = newSSE(&discardWriter{h: http.Header{}})
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range streams {
			if err := s.Event(e); err != nil {
				b.Fatal(err)
			}
		}
	}
}
