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

// hangingStore is a store whose reads wait until their context ends, as
// a paused database or a half-open connection makes them.
type hangingStore struct{ magi.Store }

func (hangingStore) List(ctx context.Context, _ magi.ListFilter) (magi.Page, error) {
	<-ctx.Done()
	return magi.Page{}, &magi.Error{Code: magi.EUNAVAILABLE, Message: "the database is unavailable or full", Err: ctx.Err()}
}

// TestHealth_StoreHangs: /healthz answers 503 within its bound when the
// store does not answer at all, instead of hanging with it.
func TestHealth_StoreHangs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &Server{store: hangingStore{inmem.New()}}
		rec := httptest.NewRecorder()
		began := time.Now()
		s.handleHealth().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		if rec.Code != http.StatusServiceUnavailable || time.Since(began) != healthTimeout {
			t.Errorf("/healthz with a hanging store: %d after %v, want 503 after %v: %s", rec.Code, time.Since(began), healthTimeout, rec.Body)
		}
	})
}
