package bench

import (
	"math"
	"testing"
)

// TestFit: an exact line gives its slope with no error; noise around a
// flat line gives a slope within its error of 0; a steady climb is not
// flat.
func TestFit(t *testing.T) {
	x := []float64{0, 0.25, 0.5, 0.75, 1}
	f := fit(x, []float64{10, 12, 14, 16, 18})
	if f.Slope != 8 || f.StdErr != 0 || f.Mean != 14 || f.First != 10 || f.Last != 18 || f.N != 5 || f.Flat() {
		t.Errorf("line: %+v, want slope 8/h exactly, not flat", f)
	}
	f = fit(x, []float64{100, 103, 99, 102, 100})
	if !f.Flat() || math.Abs(f.Slope) > 2*f.StdErr {
		t.Errorf("noise: %+v, want flat", f)
	}
	if f := fit(x[:2], []float64{1, 2}); !math.IsNaN(f.Slope) {
		t.Errorf("two points: %+v, want no slope", f)
	}
}
