package journal

import "github.com/magi-system/magi"

// Check returns the refusals of b's items that need no database to see:
// a Create without id, an Append that Validate refuses. Its slices have
// one entry per item, for the backend to fill in with what it refuses.
func Check(b magi.Batch) magi.Refused {
	r := magi.Refused{Create: make([]error, len(b.Create)), Append: make([]error, len(b.Append))}
	for i, d := range b.Create {
		if d.ID == "" {
			r.Create[i] = magi.Errorf(magi.EINVALID, "create: empty deliberation id")
		}
	}
	for i, evs := range b.Append {
		r.Append[i] = Validate(evs)
	}
	return r
}

// Exists is the refusal of a Create whose id is taken.
func Exists(id string) error {
	return magi.Errorf(magi.ECONFLICT, "deliberation %s already exists", id)
}
