package i18n

import "testing"

func TestAcceptLanguage(t *testing.T) {
	for h, want := range map[string]Lang{
		"": ZH, "en": EN, "en-US,en;q=0.9": EN, "zh-CN,zh;q=0.9,en;q=0.8": ZH,
		"fr-FR, en;q=0.5": EN, "en;q=0.4, zh;q=0.9": ZH, "de": ZH, "en;q=bad": ZH,
	} {
		if got := FromAcceptLanguage(h); got != want {
			t.Errorf("%q → %s, want %s", h, got, want)
		}
	}
	m := M("已有 %d 件", "%d cases")
	if m.Format(EN, 3) != "3 cases" || m.Format(ZH, 3) != "已有 3 件" {
		t.Error("format")
	}
}

// A message given as an argument is rendered in the same language, and the
// caller's arguments are left as they were.
func TestMessageWithinMessage(t *testing.T) {
	noun := M("案件", "case")
	args := []any{noun, "XM-2026-000001"}
	msg := M("%s %v 不存在或无权查看", "%s %v does not exist or is not visible to you")
	if got := msg.Format(ZH, args...); got != "案件 XM-2026-000001 不存在或无权查看" {
		t.Errorf("zh: %q", got)
	}
	if got := msg.Format(EN, args...); got != "case XM-2026-000001 does not exist or is not visible to you" {
		t.Errorf("en: %q", got)
	}
	if args[0] != any(noun) {
		t.Errorf("the arguments were changed: %v", args)
	}
}

// A note pingan writes is its words and a person's, joined in each
// language; stored, the English of text written once takes no room.
func TestJoinListAndColumns(t *testing.T) {
	said := Join(Line, M("并入 %s", "merged into %s").Fill("XM-1"), Message{}, Plain("同一工地"))
	if said.ZH != "并入 XM-1\n同一工地" || said.EN != "merged into XM-1\n同一工地" {
		t.Errorf("join: %+v", said)
	}
	if got := Join(Line, Message{}, Plain("")); got != (Message{}) {
		t.Errorf("nothing joined: %+v", got)
	}
	if got := Join(Comma, M("分类相同", "same category"), M("相距 3 米", "3 m apart")); got.ZH != "分类相同，相距 3 米" || got.EN != "same category, 3 m apart" {
		t.Errorf("list: %+v", got)
	}
	for _, m := range []Message{said, Plain("已签收"), {}} {
		zh, en := m.Columns()
		if m.EN == m.ZH && en != "" {
			t.Errorf("%+v stores its English %q", m, en)
		}
		if back := Stored(zh, en); back != m {
			t.Errorf("%+v read back as %+v", m, back)
		}
	}
}

// English counts a noun by the number before it; Chinese needs nothing.
func TestPlural(t *testing.T) {
	times := M("重复 %d 次", "repeated %d {time|times}")
	for n, want := range map[int]string{0: "repeated 0 times", 1: "repeated 1 time", 2: "repeated 2 times"} {
		if got := times.Format(EN, n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
	if got := times.Format(ZH, 1); got != "重复 1 次" {
		t.Errorf("zh: %q", got)
	}
	// The verb before each marker decides, explicit indexes too; %% and
	// braces without a bar are text.
	rule := M("%d 天内 %d 次", "%[2]d {report|reports} in %[1]d {day|days}, 100%% {sure|sure}; {kept}")
	if got := rule.Format(EN, 1, 3); got != "3 reports in 1 day, 100% sure; {kept}" {
		t.Errorf("indexed: %q", got)
	}
	if got := M("", "%s: %d {case|cases}").Format(EN, "江头街道", int64(1)); got != "江头街道: 1 case" {
		t.Errorf("int64: %q", got)
	}
	// What an argument says is never read as a marker.
	if got := M("", "%s %d {time|times}").Format(EN, "{a|b}", 2); got != "{a|b} 2 times" {
		t.Errorf("argument: %q", got)
	}
}

func TestLower(t *testing.T) {
	for _, tc := range []struct{ in, want Message }{
		{M("复查", "Review"), M("复查", "review")},
		{M("复核", "Re-review"), M("复核", "re-review")},
		{M("已办结", "already lower"), M("已办结", "already lower")},
		{M("", ""), M("", "")},
		{M("Ångström", "Ångström"), M("Ångström", "ångström")},
	} {
		if got := Lower(tc.in); got != tc.want {
			t.Errorf("Lower(%+v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
	if got := M("可申请%s", "A %s may be requested").Format(EN, Lower(M("复查", "Review"))); got != "A review may be requested" {
		t.Errorf("in a sentence: %q", got)
	}
}
