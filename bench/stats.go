package bench

import (
	"math"
	"slices"
	"time"
)

// samples are durations, summarized by percentile.
type samples []time.Duration

// pct returns the p-th percentile (0..100) in milliseconds, by the
// nearest-rank method; NaN when empty.
func (s samples) pct(p float64) float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	x := slices.Clone(s)
	slices.Sort(x)
	i := int(math.Ceil(p/100*float64(len(x)))) - 1
	i = min(max(i, 0), len(x)-1)
	return ms(x[i])
}

// median is pct(50).
func (s samples) median() float64 { return s.pct(50) }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// ratio is a/b, NaN when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}
