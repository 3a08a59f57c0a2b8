package bench

import "math"

// Fit is the least-squares line through a series of samples, in its unit
// per hour: how fast it grows, and how sure that is.
type Fit struct {
	// Slope is the growth per hour, StdErr its standard error: the slope
	// is told apart from 0 only when it is a few times StdErr.
	Slope  float64 `json:"slope_per_hour"`
	StdErr float64 `json:"stderr_per_hour"`
	// Mean, First and Last are of the fitted samples.
	Mean  float64 `json:"mean"`
	First float64 `json:"first"`
	Last  float64 `json:"last"`
	N     int     `json:"n"`
}

// fit fits y = a + b·x by least squares, x in hours; NaN when fewer than
// three points or no spread in x.
func fit(x, y []float64) Fit {
	n := len(x)
	f := Fit{Slope: math.NaN(), StdErr: math.NaN(), Mean: math.NaN(), First: math.NaN(), Last: math.NaN(), N: n}
	if n == 0 || len(y) != n {
		return f
	}
	f.First, f.Last = y[0], y[n-1]
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(n)
	my /= float64(n)
	f.Mean = my
	var sxx, sxy float64
	for i := range x {
		sxx += (x[i] - mx) * (x[i] - mx)
		sxy += (x[i] - mx) * (y[i] - my)
	}
	if n < 3 || sxx == 0 {
		return f
	}
	b := sxy / sxx
	a := my - b*mx
	var sse float64
	for i := range x {
		r := y[i] - a - b*x[i]
		sse += r * r
	}
	f.Slope, f.StdErr = b, math.Sqrt(sse/float64(n-2)/sxx)
	return f
}

// Flat reports whether the fit shows no growth worth the name: a slope
// within two standard errors of 0, or under 1% of the mean per hour.
func (f Fit) Flat() bool {
	return math.Abs(f.Slope) <= 2*f.StdErr || math.Abs(f.Slope) < 0.01*math.Abs(f.Mean)
}
