package inmem_test

import (
	"sync"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/inmem"
	"github.com/magi-system/magi/store/storetest"
)

func TestInmem_Suite(t *testing.T) {
	var mu sync.Mutex
	dbs := map[string]*inmem.DB{}
	storetest.Run(t, storetest.PerTest(
		func(t *testing.T) string {
			mu.Lock()
			defer mu.Unlock()
			dbs[t.Name()] = inmem.NewDB()
			return t.Name()
		},
		func(t *testing.T, name string) magi.Store {
			mu.Lock()
			s := dbs[name].Open()
			mu.Unlock()
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
	))
}

func BenchmarkInmem_Write(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) magi.Store { return inmem.New() })
}
