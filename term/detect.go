package term

import (
	"os"

	xterm "golang.org/x/term"
)

// Detect returns the Options for writing to f: Panes on a terminal at
// least PanesMinWidth columns wide, Lines on a narrower one, Plain when f
// is not a terminal or TERM is "dumb". Colour is on for a terminal unless
// NO_COLOR is set (https://no-color.org). getenv reads the environment.
func Detect(f *os.File, getenv func(string) string) Options {
	fd := int(f.Fd())
	if !xterm.IsTerminal(fd) {
		return detect(false, 0, 0, getenv)
	}
	w, h, err := xterm.GetSize(fd)
	if err != nil {
		w, h = 0, 0
	}
	return detect(true, w, h, getenv)
}

// detect decides the Options from what is known of the output.
func detect(isTerminal bool, w, h int, getenv func(string) string) Options {
	if !isTerminal {
		return Options{Mode: Plain}
	}
	if getenv("TERM") == "dumb" {
		return Options{Mode: Plain, Width: w, Height: h}
	}
	if w <= 0 {
		w, h = 80, defaultHeight
	}
	return Options{Mode: autoMode(w, h), Width: w, Height: h, Color: getenv("NO_COLOR") == ""}
}
