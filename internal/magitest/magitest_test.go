package magitest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestStream_Next reads a stream with a ping, a multi-line data field, an
// `event:` line and CRLF endings as the server could send it.
func TestStream_Next(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, ": ping\n\n")
		fmt.Fprint(w, "id: 1\ndata: {\"seq\": 1,\ndata: \"type\": \"start\"}\n\n")
		fmt.Fprint(w, "id: 2\r\nevent: message\r\ndata: {\"seq\": 2, \"type\": \"complete\"}\r\n\r\n")
	}))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	evs := OpenStream(t, req).All(t)
	type got struct {
		ID, Data  string
		EventLine bool
		Seq       int64
	}
	var gots []got
	for _, e := range evs {
		gots = append(gots, got{e.ID, e.Data, e.EventLine, e.Event.Seq})
	}
	want := []got{
		{"1", "{\"seq\": 1,\n\"type\": \"start\"}", false, 1},
		{"2", `{"seq": 2, "type": "complete"}`, true, 2},
	}
	if diff := cmp.Diff(want, gots); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if evs[0].At.IsZero() || evs[1].At.Before(evs[0].At) {
		t.Errorf("arrival times %v, %v: want set and in order", evs[0].At, evs[1].At)
	}
}

// TestStream_CutInsideEvent: a stream that ends within an event is
// io.ErrUnexpectedEOF, not a clean end.
func TestStream_CutInsideEvent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "id: 1\ndata: {\"seq\": 1}\n")
	}))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	if _, err := OpenStream(t, req).ReadAll(); err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("ReadAll of a cut stream: %v, want io.ErrUnexpectedEOF", err)
	}
}

// TestWith_Copies: With leaves the environment it was given unchanged.
func TestWith_Copies(t *testing.T) {
	env := Env(t)
	out := With(env, "MAGI_DB", "other.db", "NEW", "1")
	if out["MAGI_DB"] != "other.db" || out["NEW"] != "1" || out["HOME"] != env["HOME"] {
		t.Errorf("With = %v", out)
	}
	if env["MAGI_DB"] == "other.db" || env["NEW"] != "" {
		t.Errorf("With changed its argument: %v", env)
	}
	for _, k := range []string{"PATH", "HOME", "XDG_DATA_HOME", "MAGI_DB"} {
		if env[k] == "" {
			t.Errorf("Env has no %s", k)
		}
	}
}
