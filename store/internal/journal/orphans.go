package journal

import "context"

// Orphans returns the ids of the deliberations of running whose instance
// is not alive: those Interrupt would end. It writes nothing (the store
// checker and `magi doctor --store` report them).
func Orphans(ctx context.Context, running []Running, alive func(ctx context.Context, instance string) (bool, error)) ([]string, error) {
	live := map[string]bool{}
	ids := []string{}
	for _, r := range running {
		ok, seen := live[r.Instance]
		if !seen {
			var err error
			if ok, err = alive(ctx, r.Instance); err != nil {
				return nil, err
			}
			live[r.Instance] = ok
		}
		if !ok {
			ids = append(ids, r.ID)
		}
	}
	return ids, nil
}
