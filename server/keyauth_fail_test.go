package server_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/server"
)

// brokenKeys is a KeyStore whose database is down.
type brokenKeys struct {
	magi.KeyStore
	has bool // HasKeys answers; KeyByID always fails
}

var errDown = errors.New("connection refused")

func (b brokenKeys) HasKeys(context.Context) (bool, error) {
	if b.has {
		return true, nil
	}
	return false, errDown
}

func (b brokenKeys) KeyByID(context.Context, string) (magi.APIKey, []byte, error) {
	return magi.APIKey{}, nil, errDown
}

// TestKeyAuth_FailsClosed: a store that cannot say whether keys exist, or
// cannot read a key, makes the API unavailable, never open.
func TestKeyAuth_FailsClosed(t *testing.T) {
	_, key := magi.NewKey("a", false)
	for name, ks := range map[string]brokenKeys{"HasKeys fails": {}, "KeyByID fails": {has: true}} {
		r := httptest.NewRequest("GET", "/api/deliberations", nil)
		r.Header.Set("Authorization", "Bearer "+key)
		p, err := server.NewKeyAuth(ks, 0).Authenticate(r)
		if magi.ErrorCode(err) != magi.EUNAVAILABLE {
			t.Errorf("%s: principal %+v, err %v; want EUNAVAILABLE", name, p, err)
		}
	}
}
