package magi

import "testing"

func TestValidID(t *testing.T) {
	for range 100 {
		if id := NewID(); !ValidID(id) {
			t.Fatalf("ValidID(NewID() = %q) = false", id)
		}
	}
	for _, bad := range []string{"", "01a2312bb36d99973613712c7", "01a2312bb36d99973613712c799", "01A2312BB36D99973613712C79",
		"01a2312bb36d99973613712c7g", "01a2312bb36d99973613712c7\x00", "01a2312bb36d99973613712c\xc3\xa9", "../../../../etc/passwd/xx"} {
		if ValidID(bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
}

func TestCursor_RoundTrip(t *testing.T) {
	c := Cursor{CreatedAt: 1764072000123456789, ID: "0193/odd id"}
	got, err := ParseCursor(c.String())
	if err != nil || got != c {
		t.Fatalf("ParseCursor(String()) = %+v, %v; want %+v", got, err, c)
	}
	for _, bad := range []string{"", "!!", "bm9wZQ", "MTIzLw", // "nope", "123/"
		Cursor{1, "a\x00b"}.String(), Cursor{1, "\xff\xfe"}.String(), Cursor{1, "\xed\xa0\x80"}.String()} {
		if _, err := ParseCursor(bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParseCursor(%q): %v, want EINVALID", bad, err)
		}
	}
}
