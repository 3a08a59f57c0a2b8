package sim

// The sages' voices. Every sentence takes one key word of the question
// (%s), except an intro, which takes the quoted question.

var melchior = voice{
	intro: [2]string{
		"Question under review: %s I judge it as a scientist would: by evidence, by the reliability of the data and by logical consistency.",
		"検討対象の問いは%sです。科学者として、証拠、データの信頼性、論理の一貫性から判断します。",
	},
	lens: [2][]string{
		{
			"The first thing to establish is what we actually know about %s, as opposed to what is merely assumed.",
			"Most of the enthusiasm for %s rests on a handful of examples, and a handful of examples is not a dataset.",
			"I would change my mind quickly if reliable figures on %s pointed the other way.",
		},
		{
			"まず、%sについて実際に分かっていることと、単なる前提とを区別する必要があります。",
			"%sへの期待の多くは少数の事例に基づいており、少数の事例はデータとは言えません。",
			"%sについて信頼できる数値が逆を示すなら、私はすぐに判断を改めます。",
		},
	},
	analysis: [2][]string{
		{
			"Comparable cases involving %s show a wide spread of outcomes, so a single success story should be read as an anecdote, not a trend.",
			"The arguments around %s are internally consistent, but several rest on numbers whose sources are not given.",
			"If the measured benefit of %s were half of what is hoped, the case would still have to stand on its own.",
			"A small, well-instrumented trial would tell us more about %s than another round of debate.",
			"The reasoning for %s does not contradict itself, which is a necessary condition but not a sufficient one.",
		},
		{
			"%sに関する類似事例の結果には大きなばらつきがあり、一つの成功例は傾向ではなく逸話として扱うべきです。",
			"%sをめぐる議論は内部的には一貫していますが、出典の示されていない数値に依存している部分があります。",
			"%sの効果が期待の半分しかなかったとしても成り立つかどうかを確かめるべきです。",
			"%sについては、議論を重ねるよりも小規模で計測の行き届いた試行の方が多くを教えてくれます。",
			"%sの論理に矛盾はありませんが、それは必要条件であって十分条件ではありません。",
		},
	},
	conditions: [2][]string{
		{
			"a measured pilot of %s with success criteria agreed in advance",
			"an independent review of the data behind %s",
			"a baseline of what %s is meant to improve, measured and published first",
		},
		{
			"%sについて事前に合意した成功基準による試行",
			"%sの根拠となるデータの独立した検証",
			"%sで改善したい指標の基準値を、事前に測って公開すること",
		},
	},
}

var balthasar = voice{
	intro: [2]string{
		"The question before us: %s I judge it as a guardian would: by the people it touches, by ethics, by safety and by its long-term value.",
		"私たちの前にある問いは%sです。守る者として、影響を受ける人々、倫理、安全、長期的な価値から判断します。",
	},
	lens: [2][]string{
		{
			"Before anything else, I ask who is affected by %s and who has not been asked.",
			"The people closest to %s carry most of the risk and usually get the least say in it.",
			"Safety around %s is not a detail to fix later; it decides whether this is acceptable at all.",
		},
		{
			"何よりも先に、%sによって誰が影響を受け、誰の声が聞かれていないのかを問います。",
			"%sに最も近い人々が最も大きなリスクを負い、しかも発言の機会は最も少ないものです。",
			"%sの安全性は後で直せる細部ではなく、そもそも受け入れられるかどうかを決めるものです。",
		},
	},
	analysis: [2][]string{
		{
			"Over the long term, %s should leave people better protected than it finds them.",
			"A careful guardian would insist on a way to undo %s if it turns out to harm someone.",
			"Fairness matters here: the benefits of %s must not land on a few while the costs fall on many.",
			"Trust, once lost over %s, is slow and expensive to rebuild.",
			"The quietest voices around %s are often the ones with the most to lose.",
		},
		{
			"長い目で見れば、%sは人々を今より守られた状態にするものであるべきです。",
			"慎重な守り手であれば、%sが誰かを傷つけた場合に元に戻す手段を求めるはずです。",
			"公平さが重要です。%sの利益が一部に集中し、負担が多くの人に及ぶことがあってはなりません。",
			"%sをめぐって一度失われた信頼は、取り戻すのに長い時間と大きな代償を要します。",
			"%sについて最も声の小さい人々こそ、最も多くを失う可能性があります。",
		},
	},
	conditions: [2][]string{
		{
			"consultation with the people affected by %s before it starts",
			"a clear way to reverse %s if harm appears",
			"an independent safety review of %s",
		},
		{
			"開始前に%sの影響を受ける人々と協議すること",
			"害が生じた場合に%sを元に戻せる明確な手段",
			"%sについての独立した安全性評価",
		},
	},
}

var casper = voice{
	intro: [2]string{
		"The question: %s I judge it as a realist: by feasibility, cost, risk, timing and what people really want.",
		"問いは%sです。現実主義者として、実現可能性、費用、リスク、時機、そして人々が本当に望むものから判断します。",
	},
	lens: [2][]string{
		{
			"The practical question is whether %s can be carried out with the people, money and time actually available.",
			"What people say they want from %s and what they will actually use are rarely the same thing.",
			"Timing matters: pushing %s now competes with everything else already in flight.",
		},
		{
			"現実的な問題は、%sを実際に使える人員、資金、時間で実行できるかどうかです。",
			"人々が%sに望むと言うことと、実際に使うものとは、めったに一致しません。",
			"時機が重要です。今%sを進めれば、すでに動いている他のすべてと競合します。",
		},
	},
	analysis: [2][]string{
		{
			"The cost of %s is usually underestimated by a third; a plan that survives that margin is a plan worth having.",
			"The main risk with %s is not outright failure but a slow, expensive half-success nobody wants to stop.",
			"A staged rollout of %s keeps the option to stop cheap.",
			"Someone has to own %s day to day, and that person's time is not free.",
			"If %s slips by six months, the reasons for doing it may no longer hold.",
		},
		{
			"%sの費用はたいてい三割ほど過小に見積もられます。その誤差に耐えられる計画こそ価値があります。",
			"%sの最大のリスクは明白な失敗ではなく、誰も止めたがらない、遅くて高くつく中途半端な成功です。",
			"%sを段階的に進めれば、やめるという選択肢を安く保てます。",
			"%sを日々担う人が必要であり、その人の時間は無料ではありません。",
			"%sが半年遅れれば、それを行う理由そのものが成り立たなくなるかもしれません。",
		},
	},
	conditions: [2][]string{
		{
			"a budget for %s with a contingency of at least a third",
			"a staged timeline for %s with a review after the first phase",
			"a named owner for %s with the time to do it",
		},
		{
			"%sについて三割以上の予備費を含む予算",
			"第一段階の後に見直しを行う%sの段階的な計画",
			"%sを担う責任者とその時間の確保",
		},
	},
}
