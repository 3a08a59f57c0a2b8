package inmem_test

import (
	"sync"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/inmem"
	"github.com/magi-system/magi/store/storetest"
)

func TestInmem_Suite(t *testing.T) {
	storetest.Run(t, perTest())
}

func TestInmem_Councils(t *testing.T) {
	storetest.RunCouncils(t, perTest())
}

// perTest opens stores on a database of each test, as storetest.PerTest
// expects.
func perTest() func(t *testing.T) magi.Store {
	var mu sync.Mutex
	dbs := map[string]*inmem.DB{}
	return storetest.PerTest(
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
	)
}

func BenchmarkInmem_Write(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) magi.Store { return inmem.New() })
}
