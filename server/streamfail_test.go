package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/feed"
)

// unreadableFollower's streams fail at once: the database went away
// before the stream could read it (the stream of a POST is read from the
// store when it falls behind the live events).
type unreadableFollower struct{}

func (unreadableFollower) Follow(string, int64) magi.Stream { return unreadableStream{} }

type unreadableStream struct{}

func (unreadableStream) Next(context.Context) (magi.Encoded, bool, error) {
	return magi.Encoded{}, false, &magi.Error{Code: magi.EUNAVAILABLE, Message: "the database is unavailable or full"}
}
func (unreadableStream) Ready() <-chan struct{} { return nil }
func (unreadableStream) Close()                 {}

// TestStream_FailureNamesTheDeliberation: a stream that cannot go on ends
// with a fatal error naming its deliberation, so that a client that
// started it by the POST learns which one to resume.
func TestStream_FailureNamesTheDeliberation(t *testing.T) {
	ts := wiredServer(t, time.Millisecond, Options{}, func(magi.Store, *feed.Hub) magi.Follower { return unreadableFollower{} })
	st := ts.store
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/deliberations", strings.NewReader(`{"question": "Will the stream fail?"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	evs, _ := readSSE(t, resp.Body)
	if resp.StatusCode != http.StatusOK || len(evs) != 1 {
		t.Fatalf("status %d, %d events; want 200 and only the stream's fatal end", resp.StatusCode, len(evs))
	}
	e := evs[0].event
	if e.Type != magi.EventError || !e.Fatal || e.Code != magi.EUNAVAILABLE || e.DeliberationID == "" {
		t.Errorf("end: %+v; want a fatal unavailable error naming the deliberation", e)
	}
	if _, err := st.Summary(context.Background(), e.DeliberationID, ""); err != nil {
		t.Errorf("the deliberation it names: %v", err)
	}
}
