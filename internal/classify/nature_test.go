package classify

import "testing"

func TestCueNature(t *testing.T) {
	for _, tc := range []struct{ subject, body, want string }{
		{"举报某公司偷排污水", "", "report"},
		{"关于小区停车的建议", "", "suggestion"},
		{"请问社保转移怎么办理", "", "consult"},
		{"投诉楼下烧烤店", "", "complaint"},
		{"A市某路段", "夜里施工扰民，严重影响休息", "complaint"},
		{"A市某路段", "路灯坏了", ""},
		{"建议严查违规停车", "", "suggestion"}, // the subject's first cue in order of precedence wins
	} {
		if got := CueNature(tc.subject, tc.body); got != tc.want {
			t.Errorf("%s / %s: %q, want %q", tc.subject, tc.body, got, tc.want)
		}
	}
}
