package term

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

func TestRuneWidth(t *testing.T) {
	for _, tc := range []struct {
		r    rune
		want int
	}{
		{'a', 1}, {'é', 1}, {'│', 1}, {'—', 1}, {'⠋', 1},
		{'日', 2}, {'あ', 2}, {'カ', 2}, {'。', 2}, {'Ａ', 2}, {'한', 2}, {'🙂', 2}, {0x20000, 2},
		{'ｱ', 1}, // halfwidth katakana
		{0x301, 0}, {0x200D, 0}, {0x3099, 0}, {'\x1b', 0},
	} {
		if got := runeWidth(tc.r); got != tc.want {
			t.Errorf("runeWidth(%U) = %d, want %d", tc.r, got, tc.want)
		}
	}
	if got := width("MAGI 承認"); got != 9 {
		t.Errorf("width = %d, want 9", got)
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		in   string
		cols int
		want []string
	}{
		{"the quick brown fox", 10, []string{"the quick", "brown fox"}},
		{"", 10, []string{""}},
		{"  indented start", 20, []string{"  indented start"}},
		{"abcdefghijkl", 5, []string{"abcde", "fghij", "kl"}},
		{"日本語の文章は幅が二倍です", 10, []string{"日本語の文", "章は幅が二", "倍です"}},
		{"承認 APPROVED です", 9, []string{"承認", "APPROVED", "です"}},
		{"日本語abc", 7, []string{"日本語", "abc"}},
		{"日本語です", 7, []string{"日本語", "です"}},
		{"あいう、えお。", 6, []string{"あい", "う、え", "お。"}},
	} {
		got := wrap(tc.in, tc.cols)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("wrap(%q, %d) (-want +got):\n%s", tc.in, tc.cols, diff)
		}
		for _, l := range got {
			if width(l) > tc.cols {
				t.Errorf("wrap(%q, %d): %q is %d columns", tc.in, tc.cols, l, width(l))
			}
		}
	}
}

func TestFit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		cols int
		want string
	}{
		{"abc", 5, "abc  "},
		{"abcdef", 5, "abcd…"},
		{"日本語です", 6, "日本… "},
		{"日本語です", 5, "日本…"},
	} {
		if got := fit(tc.in, tc.cols); got != tc.want || width(got) != tc.cols {
			t.Errorf("fit(%q, %d) = %q (%d columns), want %q", tc.in, tc.cols, got, width(got), tc.want)
		}
	}
}

func TestLineView_RuneSplitAcrossChunks(t *testing.T) {
	text := "日本語のテキストが途中で切れても文字化けしない。\n"
	v := newLineView(12)
	var got []string
	for i := 0; i < len(text); i += 4 { // 4 bytes: every kanji is cut
		got = append(got, v.add(magi.Melchior, text[i:min(i+4, len(text))])...)
	}
	got = append(got, v.flush(magi.Melchior)...)
	for _, l := range got {
		if !utf8.ValidString(l) || strings.ContainsRune(l, utf8.RuneError) {
			t.Errorf("broken UTF-8 in %q", l)
		}
		if width(l) > 12 {
			t.Errorf("%q is %d columns, want <= 12", l, width(l))
		}
	}
	if diff := cmp.Diff(strings.TrimSpace(text), strings.Join(got, "")); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
}

func TestLineView_KeepsSpaceAtBreak(t *testing.T) {
	v := newLineView(10)
	var got []string
	for _, c := range []string{"aaaa bbbb ", "cccc"} {
		got = append(got, v.add(magi.Casper, c)...)
	}
	got = append(got, v.flush(magi.Casper)...)
	if diff := cmp.Diff([]string{"aaaa bbbb", "cccc"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	got = append(v.add(magi.Casper, "dddd eeee ff "), v.add(magi.Casper, "gg")...)
	got = append(got, v.flush(magi.Casper)...)
	if diff := cmp.Diff([]string{"dddd eeee", "ff gg"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// japanese is the fixture with Japanese answers.
func japanese() []magi.Event {
	f := newFixture()
	f.texts = map[magi.AgentID]string{
		magi.Melchior:  "週休三日制の導入について、アイスランドと英国の試行では生産性が維持され、燃え尽きが減ったという結果が報告されている。しかし参加企業は自ら手を挙げた企業が多い。\n" + `{"decision": "APPROVED", "confidence": 0.82, "summary": "試行すべき。", "conditions": []}`,
		magi.Balthasar: "人を第一に考えると、家族との時間と健康が増える。ただしシフト勤務者と介護者を取り残してはならない。\n" + `{"decision": "CONDITIONAL", "confidence": 0.7, "summary": "賃金が減らないなら。", "conditions": ["賃金の維持"]}`,
		magi.Casper:    "オフィス部門なら四半期で実現可能。サポート部門には交代制が必要。\n" + `{"decision": "REJECTED", "confidence": 0.6, "summary": "今年は見送り。", "conditions": []}`,
		magi.Solomon:   "三賢者の意見を総合すると、試行導入が妥当である。\n" + `{"decision": "CONDITIONAL", "confidence": 0.74, "summary": "試行する。", "scores": {"melchior": 80, "balthasar": 72, "casper": 65}}`,
	}
	return f.build()
}

func TestRenderer_JapaneseWrapsByDisplayWidth(t *testing.T) {
	events := japanese()
	for _, tc := range []struct {
		mode  Mode
		width int
	}{{Lines, 50}, {Plain, 40}, {Panes, 100}} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			out := run(Options{Mode: tc.mode, Width: tc.width, Height: 40, Color: true}, events)
			screen := play(t, out).text()
			checkWidth(t, screen, tc.width-1)
			if !utf8.ValidString(out) {
				t.Error("output is not valid UTF-8")
			}
			mustContain(t, strings.Join(screen, "\n"), "SOLOMON  条件付 CONDITIONAL")
			for _, l := range screen {
				if _, text, ok := strings.Cut(l, "│ "); ok && strings.ContainsAny(text[:min(len(text), 3)], "、。") {
					t.Errorf("a line starts with closing punctuation: %q", l)
				}
			}
			if diff := cmp.Diff(noSpace(streamText(events, magi.Solomon)), agentText(screen, "SOLOMON")); diff != "" {
				t.Errorf("SOLOMON text (-want +got):\n%s", diff)
			}
			if tc.mode == Panes {
				return
			}
			for _, id := range magi.Sages {
				if diff := cmp.Diff(noSpace(streamText(events, id)), agentText(screen, defaultNames[id])); diff != "" {
					t.Errorf("%s text (-want +got):\n%s", id, diff)
				}
			}
		})
	}
}

// streamText is the whole text id streamed.
func streamText(events []magi.Event, id magi.AgentID) string {
	var b strings.Builder
	for _, e := range events {
		if e.Type == magi.EventChunk && e.Agent == id {
			b.WriteString(e.Content)
		}
	}
	return b.String()
}
