package sim

import (
	"fmt"
	"testing"
	"strings"

	"github.com/magi-system/magi"
)

func TestZZDump(t *testing.T) {
	for _, q := range []string{"Should we release on Friday?", "Should we adopt a four-day work week?", "Rewrite the backend in Rust?", "Is it worth hiring 3 more engineers for $400k?", `Should we rename the project to "Atlas"?`, "来週金曜日にリリースすべきか？", "週休3日制を導入すべきでしょうか？", "What is the best database for us?"} {
		var texts []string
		for _, id := range magi.Sages {
			a := Answer(1, sageReq(id, q))
			texts = append(texts, a)
			if id == magi.Melchior { p, _, _ := strings.Cut(a, "```json"); fmt.Println(p); fmt.Println(magi.ParseVerdict(a).Summary) }
		}
		s := Answer(1, judgeReq(q, texts...))
		fmt.Println(s)
		fmt.Println("=====")
	}
}
