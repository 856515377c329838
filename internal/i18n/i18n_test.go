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
