package sim

import (
	"regexp"
	"strings"
	"testing"

	"github.com/magi-system/magi"
)

// grammarQuestions are varied questions: English and Japanese, short and
// long, yes/no questions, imperative proposals, noun phrases, questions
// that propose nothing in particular, numbers and quoted names.
var grammarQuestions = []struct {
	q string
	// subject is the noun phrase the answers must name the matter with.
	subject string
}{
	{"Should we adopt a four-day work week?", "the proposal to adopt a four-day work week"},
	{"Should we release on Friday?", "the proposal to release on Friday"},
	{"Should the city ban cars from the old town centre?", "the proposal that the city should ban cars from the old town centre"},
	{"Is it worth hiring 3 more engineers for $400k?", "hiring 3 more engineers for $400k"},
	{`Should we rename the project to "Atlas"?`, `the proposal to rename the project to "Atlas"`},
	{"Rewrite the backend in Rust.", "the proposal to rewrite the backend in Rust"},
	{"Migrate the billing database to PostgreSQL before Black Friday", "the proposal to migrate the billing database to PostgreSQL before Black Friday"},
	{"What is the best database for us?", "this proposal"},
	{"Can we afford a second office in Osaka next year?", "the proposal to afford a second office in Osaka next year"},
	{"Let's open-source the SDK.", "the proposal to open-source the SDK"},
	{"Is it a good idea to raise prices by 10% in Q3?", "the proposal to raise prices by 10% in Q3"},
	{"Should I quit my job to start a company?", "the proposal to quit your job to start a company"},
	{"Do we need a new CRM?", "the proposal to get a new CRM"},
	{"A four-day work week?", "the proposal of a four-day work week"},
	{"We should move support to a chatbot, keep two people on call and measure satisfaction every week for six months before deciding whether to extend it to every region.", "this proposal"},
	{"Ship it?", "the proposal to ship it"},
	{"週休3日制を導入すべきか？", "「週休3日制を導入する」という案"},
	{"来週金曜日にリリースすべきでしょうか？", "「来週金曜日にリリースする」という案"},
	{"来年、東京オフィスを閉鎖して全社員をリモートワークに移行すべきでしょうか？", "「来年、東京オフィスを閉鎖して全社員をリモートワークに移行する」という案"},
	{"「アトラス」にプロジェクト名を変更すべきか", "「『アトラス』にプロジェクト名を変更する」という案"},
	{"どのデータベースを使うべきですか？", "この提案"},
	{"AIアシスタントを導入しますか？", "「AIアシスタントを導入する」という案"},
}

var (
	// doubledWord is a word said twice in a row: "the the", "to to".
	doubledWord = regexp.MustCompile(`(?i)\b([a-z]+)\s+([a-z]+)\b`)
	// badSpacing is a space before punctuation or a doubled punctuation.
	badSpacing = regexp.MustCompile(` [,.;:!?]|\.\.|,,|、、|。。`)
	// doubledParticle is a Japanese particle said twice, as an inserted
	// phrase can cause: 案をを (のの and とと are left out: ものの, ことと).
	doubledParticle = regexp.MustCompile(`をを|はは|がが|にに|でで|へへ|をは|をが|がを`)
	// subjectVerb finds what SOLOMON's summary approves or rejects.
	subjectVerb = regexp.MustCompile(`^The council (?:approves|rejects) (.+?)(?:, on conditions| for now)?\.$`)
)

// TestAnswer_ReadsWell: over varied questions in both languages, every
// sage's and SOLOMON's answer names the matter with a noun phrase where
// the sentence needs one, says no word twice in a row, balances its
// quotation marks and starts every sentence well; the answers stay
// labelled simulated.
func TestAnswer_ReadsWell(t *testing.T) {
	for _, tc := range grammarQuestions {
		t.Run(tc.q, func(t *testing.T) {
			ja := hasJapanese(tc.q)
			if got := topics(tc.q, ja)[0]; got != tc.subject {
				t.Errorf("subject %q, want %q", got, tc.subject)
			}
			var texts []string
			for _, id := range magi.Sages {
				texts = append(texts, Answer(5, sageReq(id, tc.q)))
			}
			for i, text := range append(texts, Answer(5, judgeReq(tc.q, texts...))) {
				who := "SOLOMON"
				if i < len(magi.Sages) {
					who = string(magi.Sages[i])
				}
				checkReads(t, who, tc.q, text, ja)
			}
			v := magi.ParseVerdict(Answer(5, judgeReq(tc.q, texts...)))
			if ja {
				if !strings.HasPrefix(v.Summary, "評議会は") || !strings.Contains(v.Summary, tc.subject) {
					t.Errorf("SOLOMON's summary %q does not name %q", v.Summary, tc.subject)
				}
				return
			}
			m := subjectVerb.FindStringSubmatch(v.Summary)
			if m == nil || m[1] != tc.subject {
				t.Errorf("SOLOMON's summary %q: want the council to approve or reject %q", v.Summary, tc.subject)
			}
		})
	}
}

// checkReads fails on the obvious breakages of one answer.
func checkReads(t *testing.T, who, q, text string, ja bool) {
	t.Helper()
	label := labelEN
	if ja {
		label = labelJA
	}
	if !strings.HasPrefix(text, label+"\n") {
		t.Errorf("%s: not labelled simulated:\n%s", who, text)
	}
	prose, _, _ := strings.Cut(strings.TrimPrefix(text, label), "```json")
	v := magi.ParseVerdict(text)
	if v.Decision == magi.Abstained {
		t.Fatalf("%s: no verdict: %s", who, v.Reason)
	}
	all := append([]string{prose, v.Summary}, v.Conditions...)
	for _, s := range all {
		if strings.Contains(s, "%!") {
			t.Errorf("%s: a formatting slip in %q", who, s)
		}
		if m := badSpacing.FindString(s); m != "" {
			t.Errorf("%s: %q in %q", who, m, s)
		}
		for _, pair := range [][2]string{{"“", "”"}, {"「", "」"}, {"『", "』"}} {
			if strings.Count(s, pair[0]) != strings.Count(s, pair[1]) {
				t.Errorf("%s: unbalanced %s%s in %q", who, pair[0], pair[1], s)
			}
		}
		if strings.Count(s, `"`)%2 != 0 {
			t.Errorf("%s: unbalanced \" in %q", who, s)
		}
		for _, m := range doubledWord.FindAllStringSubmatch(s, -1) {
			if strings.EqualFold(m[1], m[2]) {
				t.Errorf("%s: %q said twice in %q", who, m[1], s)
			}
		}
		if m := doubledParticle.FindString(s); ja && m != "" {
			t.Errorf("%s: particles %q in %q", who, m, s)
		}
	}
	checkSentences(t, who, q, prose, ja)
}

// checkSentences fails when a sentence of the prose, outside quotation
// marks, holds a question mark (a question pasted in as a phrase), or an
// English one starts in lower case.
func checkSentences(t *testing.T, who, q, prose string, ja bool) {
	t.Helper()
	unquoted := regexp.MustCompile(`“[^”]*”|「[^」]*」`).ReplaceAllString(prose, "Q")
	if strings.ContainsAny(unquoted, "?？") {
		t.Errorf("%s: a question mark outside the quotation of the question:\n%s", who, prose)
	}
	if ja {
		return
	}
	for _, para := range strings.Split(strings.TrimSpace(unquoted), "\n") {
		for _, sentence := range regexp.MustCompile(`[.!] +`).Split(strings.TrimSpace(para), -1) {
			sentence = strings.TrimPrefix(sentence, "- ")
			if sentence != "" && sentence[0] >= 'a' && sentence[0] <= 'z' {
				t.Errorf("%s: a sentence starts in lower case: %q", who, sentence)
			}
		}
	}
}
