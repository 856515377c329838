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
