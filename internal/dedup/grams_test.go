package dedup

import (
	"hash/fnv"
	"maps"
	"slices"
	"testing"
	"unicode"
)

// referenceBigrams is the plain definition grams must agree with: every
// pair of adjacent word characters, lower-cased, as a string; with stops,
// except the stop words and the pairs that share a letter with one.
func referenceBigrams(s string, stops bool) map[string]bool {
	out := map[string]bool{}
	var runs [][]rune
	run := []rune{}
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			runs, run = append(runs, run), []rune{}
			continue
		}
		run = append(run, unicode.ToLower(r))
	}
	for _, run := range append(runs, run) {
		covered := make([]bool, len(run))
		for i := 0; i+1 < len(run); i++ {
			if stops && stopWords[gram(run[i])<<32|gram(run[i+1])] {
				covered[i], covered[i+1] = true, true
			}
		}
		for i := 0; i+1 < len(run); i++ {
			if !covered[i] && !covered[i+1] {
				out[string(run[i:i+2])] = true
			}
		}
	}
	return out
}

var gramTexts = []string{
	"",
	"噪",
	"湖里区江头街道仙岳路123号小区夜间施工噪音扰民，多次反映未解决！",
	"噪音扰民 噪声扰民 噪音扰民",
	"KTV Noise at 3AM, ktv noise again",
	"ＡＢＣ１２３全角字母与数字",
	"⼈⼝康熙部首与𠀀扩展B汉字",
	"Ωμέγα Straße ÄÖÜ äöü",
	"a1b2-c3_d4 e5",
	"补偿纠纷 赔偿纠纷 纠纷问题严重 反映 社区业主反映物业问题",
	"一家里有人 纠纷纠纷 路灯晚上没有亮 社区",
}

func TestBigramsAgreeWithTheDefinition(t *testing.T) {
	for _, s := range gramTexts {
		for _, stops := range []bool{true, false} {
			got := pairs(s, stops)
			if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
				t.Fatalf("%q: not a sorted set: %v", s, got)
			}
			want := referenceBigrams(s, stops)
			strs := map[string]bool{}
			for _, g := range got {
				strs[string([]rune{rune(g >> 32), rune(g & 0xFFFFFFFF)})] = true
			}
			if !maps.Equal(strs, want) {
				t.Errorf("%q (stop words left out: %v): bigrams %v, want %v", s, stops, slices.Sorted(maps.Keys(strs)), slices.Sorted(maps.Keys(want)))
			}
		}
	}
}

// The index's keys are stored: they must stay the hash of the district and
// the gram's text, whatever the gram's representation.
func TestGramKeyIsTheHashOfItsText(t *testing.T) {
	for _, s := range gramTexts {
		for _, g := range bigrams(s) {
			h := fnv.New64a()
			h.Write([]byte("350206\x00" + string([]rune{rune(g >> 32), rune(g & 0xFFFFFFFF)})))
			if want := int64(h.Sum64() &^ (1 << 63)); g.key("350206") != want {
				t.Fatalf("%q: key %d, want %d", s, g.key("350206"), want)
			}
		}
	}
}

func TestGramSetOperations(t *testing.T) {
	a, b := bigrams("仙岳路夜间施工噪音"), bigrams("仙岳路噪音扰民")
	if n := a.common(b); n != 3 { // 仙岳 岳路 噪音
		t.Errorf("common = %d, want 3", n)
	}
	if got, want := a.minus(b), bigrams("路夜间施工噪"); !slices.Equal(got, want) {
		t.Errorf("minus = %v, want %v", got, want)
	}
	for _, g := range a.minus(b) {
		if slices.Contains(b, g) || !slices.Contains(a, g) {
			t.Errorf("minus kept %v", g)
		}
	}
	if Dice("噪音扰民", "噪音扰民") != 1 || Dice("噪音扰民", "施工") != 0 || Likeness("扰民", "夜间噪音扰民") != 1 {
		t.Error("Dice or Likeness of known pairs")
	}
	// Dice decides merging on its own: reports saying the opposite stay apart.
	for _, p := range [][2]string{{"小区路灯晚上没有亮", "小区路灯晚上一直亮"}, {"停车场无人管理", "停车场有人管理"}} {
		if d := Dice(p[0], p[1]); d >= 0.9 {
			t.Errorf("Dice(%s, %s) = %.2f: they would be merged", p[0], p[1], d)
		}
	}
}

func TestNumbersDiffer(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"西湖社区9号楼电梯异响", "西湖社区3号楼电梯异响", true},
		{"一女子网络刷单被骗23800元", "一女子网络刷单被骗12300元", true},
		{"一女子网络刷单被骗23800元", "一女子网络刷单被骗２３８００元", false},
		{"江头北路128号工地噪音", "江头北路128号工地夜间噪音", false},
		{"西湖社区9号楼电梯异响", "西湖社区电梯异响", false}, // one says nothing of the building
		{"12月3日停电", "12月5日停电", true},
		{"小区停车问题", "小区停车难", false},
	} {
		if got := NumbersDiffer(tc.a, tc.b); got != tc.want {
			t.Errorf("NumbersDiffer(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
