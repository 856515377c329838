package dedup

import "testing"

func TestMentionedMatchesPlaceKey(t *testing.T) {
	text := "投诉：湖里区江头北路123号旁，仙岳路与嘉禾路交叉口 abc 12 莲前西路"
	places := map[int64]bool{}
	for _, s := range []string{"江头北路", "仙岳路", "嘉禾路", "莲前西路", "不存在的路", "湖里区江头北路123号旁，仙岳路与"} {
		places[placeKey(s)] = true
	}
	got := mentioned(text, places)
	for _, s := range []string{"江头北路", "仙岳路", "嘉禾路", "莲前西路"} {
		if !got[placeKey(s)] {
			t.Errorf("%s not found", s)
		}
	}
	if got[placeKey("不存在的路")] || got[placeKey("湖里区江头北路123号旁，仙岳路与")] {
		t.Errorf("found what the text does not name within %d characters: %v", maxStreet, got)
	}
}
