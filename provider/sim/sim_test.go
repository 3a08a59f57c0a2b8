package sim

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/await"
)

const (
	labelEN = "[SIMULATED — sim provider, no model was called]"
	labelJA = "[シミュレーション — simプロバイダー、モデルは呼び出されていません]"
	qEN     = "Should we migrate the billing database to PostgreSQL before Black Friday?"
	qJA     = "来年、東京オフィスを閉鎖して全社員をリモートワークに移行すべきでしょうか？"
)

// collect runs a stream to its end.
func collect(t *testing.T, ctx context.Context, p *Provider, req magi.Request) (string, *magi.Usage, error) {
	t.Helper()
	var b strings.Builder
	var usage *magi.Usage
	for d, err := range p.Stream(ctx, req) {
		if err != nil {
			return b.String(), usage, err
		}
		if usage != nil {
			t.Fatalf("delta %q after the usage", d.Text)
		}
		b.WriteString(d.Text)
		usage = d.Usage
	}
	return b.String(), usage, nil
}

func sageReq(id magi.AgentID, q string) magi.Request {
	return magi.Request{Agent: id, Model: Model, Prompt: magi.SagePrompt(q)}
}

func TestStream_Deterministic(t *testing.T) {
	ctx := context.Background()
	a, _, err := collect(t, ctx, New(Options{Seed: 7}), sageReq(magi.Melchior, qEN))
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := collect(t, ctx, New(Options{Seed: 7}), sageReq(magi.Melchior, qEN))
	if a != b {
		t.Fatalf("same seed and request gave different answers:\n%s\n---\n%s", a, b)
	}
	if a != Answer(7, sageReq(magi.Melchior, qEN)) {
		t.Error("the stream differs from Answer")
	}
	if c := Answer(8, sageReq(magi.Melchior, qEN)); c == a {
		t.Error("another seed gave the same answer")
	}
	if d := Answer(7, sageReq(magi.Melchior, "Should the city ban cars from the old town centre?")); d == a {
		t.Error("another question gave the same answer")
	}
}

func TestAnswer_VotesVaryWithTheQuestion(t *testing.T) {
	seen := map[magi.Decision]int{}
	for _, q := range []string{"Open a second office in Osaka?", "Raise prices by ten percent?", "Replace the CRM with a spreadsheet?",
		"Sponsor the local marathon?", "Ship the beta to all customers?", "Hire a chief AI officer?", "Move support to a chatbot?",
		"Ban meetings on Fridays?", "Rewrite the backend in Rust?", "Publish our salaries?"} {
		for _, id := range magi.Sages {
			seen[magi.ParseVerdict(Answer(1, sageReq(id, q))).Decision]++
		}
	}
	for _, d := range []magi.Decision{magi.Approved, magi.Rejected, magi.Conditional} {
		if seen[d] == 0 {
			t.Errorf("no %s vote in 30 answers: %v", d, seen)
		}
	}
	if seen[magi.Abstained] != 0 {
		t.Errorf("%d answers had no verdict", seen[magi.Abstained])
	}
}

func TestStream_SageAnswers(t *testing.T) {
	for _, tt := range []struct {
		lang, q, label string
	}{{"en", qEN, labelEN}, {"ja", qJA, labelJA}} {
		for _, id := range magi.Sages {
			t.Run(tt.lang+"/"+string(id), func(t *testing.T) {
				text, _, err := collect(t, context.Background(), New(Options{Seed: 3}), sageReq(id, tt.q))
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(text, tt.label+"\n") {
					t.Errorf("answer does not start with the label %q:\n%s", tt.label, text)
				}
				v := magi.ParseVerdict(text)
				if v.Decision == magi.Abstained || v.Confidence <= 0 || v.Summary == "" {
					t.Fatalf("verdict = %+v", v)
				}
				if v.Decision == magi.Conditional && len(v.Conditions) == 0 {
					t.Error("CONDITIONAL without conditions")
				}
				if !strings.HasSuffix(text, "}\n```\n") {
					t.Errorf("answer does not end with the fenced JSON:\n%s", text)
				}
				prose, _, _ := strings.Cut(text, "```json")
				checkLanguage(t, tt.lang, prose)
			})
		}
	}
}

// checkLanguage asserts the prose is of the language and long enough.
func checkLanguage(t *testing.T, lang, prose string) {
	t.Helper()
	if lang == "en" {
		if hasJapanese(prose) {
			t.Errorf("English answer contains Japanese:\n%s", prose)
		}
		if n := len(strings.Fields(prose)); n < 120 || n > 250 {
			t.Errorf("English prose has %d words, want 120–250", n)
		}
		if !strings.Contains(prose, "billing database") {
			t.Errorf("answer does not echo the question's key words:\n%s", prose)
		}
		return
	}
	if !strings.ContainsRune(prose, 'は') || !strings.Contains(prose, "東京オフィス") {
		t.Errorf("Japanese answer is not Japanese or does not echo the question:\n%s", prose)
	}
	if n := utf8.RuneCountInString(prose); n < 250 {
		t.Errorf("Japanese prose has %d characters, want at least 250", n)
	}
}

func TestStream_Usage(t *testing.T) {
	text, u, err := collect(t, context.Background(), New(Options{}), sageReq(magi.Casper, qEN))
	if err != nil {
		t.Fatal(err)
	}
	if u == nil {
		t.Fatal("no usage delta")
	}
	if u.CostUSD == nil || *u.CostUSD != 0 {
		t.Errorf("cost = %v, want known and 0", u.CostUSD)
	}
	if words := len(strings.Fields(magi.SagePrompt(qEN))); u.InputTokens < int64(words) {
		t.Errorf("input tokens = %d, want at least the prompt's %d words", u.InputTokens, words)
	}
	if words := len(strings.Fields(text)); u.OutputTokens < int64(words)*8/10 || u.OutputTokens > int64(words)*2 {
		t.Errorf("output tokens = %d for %d words", u.OutputTokens, words)
	}
}

func TestPieces(t *testing.T) {
	for _, s := range []string{"", "one", "Hello,  world.\n\nNext ", Answer(1, sageReq(magi.Balthasar, qJA))} {
		ps := pieces(s)
		if got := strings.Join(ps, ""); got != s {
			t.Fatalf("pieces do not join back:\n%q\n%q", got, s)
		}
		for _, p := range ps {
			if n := utf8.RuneCountInString(p); hasJapanese(p) && n > 8 {
				t.Errorf("Japanese piece %q is %d characters", p, n)
			}
		}
	}
	if got := len(pieces("a b c")); got != 3 {
		t.Errorf("pieces of 3 words = %d", got)
	}
}

func TestStream_Cancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := New(Options{Pace: 20 * time.Millisecond})
	n := 0
	var began time.Time
	var got error
	for d, err := range p.Stream(ctx, sageReq(magi.Melchior, qEN)) {
		if err != nil {
			got = err
			break
		}
		if n++; n == 3 {
			cancel()
			began = time.Now()
		}
		_ = d
	}
	if el := time.Since(began); el > 50*time.Millisecond {
		t.Errorf("cancellation took %v", el)
	}
	var pe *magi.ProviderError
	if !errors.As(got, &pe) || pe.Kind != magi.KindCancelled || pe.Provider != Name || pe.Model != Model {
		t.Fatalf("error = %#v, want a cancelled ProviderError of sim", got)
	}
	if !errors.Is(got, context.Canceled) {
		t.Error("error does not wrap context.Canceled")
	}
}

func TestStream_CancelBeforeFirstToken(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(10*time.Millisecond, cancel)
	began := time.Now()
	_, _, err := collect(t, ctx, New(Options{FirstToken: 10 * time.Second}), sageReq(magi.Casper, qEN))
	if el := time.Since(began); el > 60*time.Millisecond {
		t.Errorf("cancellation took %v", el)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want cancelled", err)
	}
}

func TestStream_Deadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, _, err := collect(t, ctx, New(Options{Pace: time.Second}), sageReq(magi.Casper, qEN))
	var pe *magi.ProviderError
	if !errors.As(err, &pe) || pe.Kind != magi.KindTimeout || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a timeout ProviderError", err)
	}
}

func TestStream_Pace(t *testing.T) {
	const pace, first = 2 * time.Millisecond, 30 * time.Millisecond
	req := sageReq(magi.Balthasar, "Paint the office green?")
	n := len(pieces(Answer(0, req)))
	began := time.Now()
	if _, _, err := collect(t, context.Background(), New(Options{Pace: pace, FirstToken: first}), req); err != nil {
		t.Fatal(err)
	}
	if el, min := time.Since(began), first+time.Duration(n-1)*pace; el < min {
		t.Errorf("%d pieces took %v, want at least %v", n, el, min)
	}
}

func TestStream_StopEarly(t *testing.T) {
	p := New(Options{Pace: time.Second})
	began := time.Now()
	for d, err := range p.Stream(context.Background(), sageReq(magi.Melchior, qEN)) {
		if err != nil || d.Text == "" {
			t.Fatalf("first delta = %+v, %v", d, err)
		}
		break
	}
	if el := time.Since(began); el > 500*time.Millisecond {
		t.Errorf("stopping early took %v", el)
	}
}

func TestStream_NoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 5 {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Millisecond, cancel)
		_, _, _ = collect(t, ctx, New(Options{Pace: time.Millisecond}), sageReq(magi.Casper, qEN))
		cancel()
		for range New(Options{Pace: time.Hour}).Stream(context.Background(), sageReq(magi.Casper, qEN)) {
			break
		}
	}
	await.Until(time.Second, func() bool { return runtime.NumGoroutine() <= before })
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines: %d before, %d after", before, after)
	}
}
