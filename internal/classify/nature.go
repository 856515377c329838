package classify

import "strings"

// natureCues are the words a citizen's message states its nature with, in
// the order they are tried: the subject first, then the body's opening.
var natureCues = []struct {
	nature string
	words  []string
}{
	{"report", []string{"举报", "检举", "揭发"}},
	{"help", []string{"求助", "求救", "救助", "帮帮"}},
	{"suggestion", []string{"建议", "希望", "呼吁", "恳请", "提议"}},
	{"consult", []string{"咨询", "请问", "询问", "能否", "是否", "怎么办", "如何", "什么时候", "何时"}},
	{"complaint", []string{"投诉", "扰民", "严重", "乱收费", "拖欠", "违规", "违法", "不作为", "无人管"}},
}

// CueNature reads the nature a message states in so many words — 投诉,
// 举报, 建议, 咨询, 求助 — from its subject, else from the start of its
// body; "" when it says none. The shared data labels no natures, so the
// default model learns its nature head from these cues (as weak labels),
// then from operators' choices.
func CueNature(subject, body string) string {
	head := []rune(body)
	for _, text := range []string{subject, string(head[:min(len(head), 60)])} {
		for _, c := range natureCues {
			for _, w := range c.words {
				if strings.Contains(text, w) {
					return c.nature
				}
			}
		}
	}
	return ""
}
