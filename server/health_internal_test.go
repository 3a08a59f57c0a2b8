package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/inmem"
)

// TestHealth_Draining: once Drain is called /healthz answers 503
// "draining", while the rest of the API still works.
func TestHealth_Draining(t *testing.T) {
	ts := newTestServer(t, 0, Options{})
	if resp := get(t, ts.URL+"/healthz"); resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz before draining: %d", resp.StatusCode)
	}
	ts.srv.Drain()
	resp := get(t, ts.URL+"/healthz")
	if v := decode[map[string]any](t, resp); resp.StatusCode != http.StatusServiceUnavailable || v["status"] != "draining" {
		t.Errorf("/healthz while draining: %d %v, want 503 draining", resp.StatusCode, v)
	}
	if resp := get(t, ts.URL+"/api/deliberations"); resp.StatusCode != http.StatusOK {
		t.Errorf("the history while draining: %d, want 200", resp.StatusCode)
	}
}

// hangingStore is a store whose Ping waits until its context ends, as a
// paused database or a half-open connection makes it.
type hangingStore struct{ magi.Store }

func (hangingStore) Ping(ctx context.Context) error {
	<-ctx.Done()
	return &magi.Error{Code: magi.EUNAVAILABLE, Message: "the database is unavailable or full", Err: ctx.Err()}
}

// TestHealth_StoreHangs: /healthz answers 503 after exactly its bound when
// the store does not answer at all, instead of hanging with it.
func TestHealth_StoreHangs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &Server{store: hangingStore{inmem.New()}, opts: Options{HealthTimeout: DefaultHealthTimeout}}
		rec := httptest.NewRecorder()
		began := time.Now()
		s.handleHealth().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		if rec.Code != http.StatusServiceUnavailable || time.Since(began) != DefaultHealthTimeout {
			t.Errorf("/healthz with a hanging store: %d after %v, want 503 after %v: %s", rec.Code, time.Since(began), DefaultHealthTimeout, rec.Body)
		}
	})
}
