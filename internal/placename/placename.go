// Package placename finds the places a citizen's text names — estates,
// communities, villages, schools, hospitals, markets, companies — by the
// words such names end in (小区, 社区, 村, 有限公司…) and the proper name
// before them, leaving out what only says what kind of place or which one
// (物业公司, 该公司, 村民). The hot-issue finder groups messages by them; the
// repeat finder tells two matters apart by them.
package placename

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A place is two to six letters, digits or Han characters before a place
// word (placeWords, in the order they are tried): what the regular
// expression
//
//	[\p{Han}A-Za-z0-9]{2,6}(?:小区|花园|家园|新城|之城|苑|广场|学院|大学|中学|小学|幼儿园|医院|有限(?:责任)?公司|公司|集团|市场|村|社区|大厦|公寓|搅拌站|车贷|地铁\d+号线|高铁站|工业园|[一二三四五六七八九东西南北中]里)
//
// matches, found by placeMatches without it (Names on a report of a
// hundred characters took 58 µs with the expression, 10 µs without; the
// test holds the two to the same matches on real messages). metro stands
// for 地铁\d+号线.
var placeWords = append([]string{"小区", "花园", "家园", "新城", "之城", "苑", "广场", "学院", "大学", "中学", "小学", "幼儿园", "医院",
	"有限责任公司", "有限公司", "公司", "集团", "市场", "村", "社区", "大厦", "公寓", "搅拌站", "车贷", metro, "高铁站", "工业园"}, liEstates...)

// liEstates end the names of Xiamen's 里 estates (湖滨一里, 官田洋一里,
// 屿后北里): a numeral or a direction before 里, not 这里, 家里 or 公里.
var liEstates = []string{"一里", "二里", "三里", "四里", "五里", "六里", "七里", "八里", "九里", "东里", "西里", "南里", "北里", "中里"}

const metro = "地铁"

// placeWordsBy are placeWords by their first character, in order.
var placeWordsBy = func() map[rune][]string {
	m := map[rune][]string{}
	for _, w := range placeWords {
		r, _ := utf8.DecodeRuneInString(w)
		m[r] = append(m[r], w)
	}
	return m
}()

// placeWordAt returns the length of the first place word (placeWords) at
// text[j:end], 0 when none is.
func placeWordAt(text string, j, end int) int {
	r, _ := utf8.DecodeRuneInString(text[j:end])
	for _, w := range placeWordsBy[r] {
		s := text[j:end]
		if !strings.HasPrefix(s, w) {
			continue
		}
		if w != metro {
			return len(w)
		}
		digits := len(s[len(w):]) - len(strings.TrimLeft(s[len(w):], "0123456789"))
		if digits > 0 && strings.HasPrefix(s[len(w)+digits:], "号线") {
			return len(w) + digits + len("号线")
		}
	}
	return 0
}

// nameRune is a character a place's name is made of.
func nameRune(r rune) bool {
	return r < utf8.RuneSelf && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') || unicode.Is(unicode.Han, r)
}

// placeMatches returns where in text[from:to] places are, leftmost first,
// each as the regular expression of placeWords would match it: from the
// earliest start with a match, the most name characters (six down to two)
// that a place word follows, and the first place word that does.
func placeMatches(text string, from, to int) [][2]int {
	var out [][2]int
	var after [7]int // after[k]: the end of k name characters from i
	for i := from; i < to; {
		k := 0
		after[0] = i
		for k < 6 && after[k] < to {
			r, n := utf8.DecodeRuneInString(text[after[k]:to])
			if !nameRune(r) {
				break
			}
			after[k+1] = after[k] + n
			k++
		}
		matched := false
		for ; k >= 2; k-- {
			if after[k] < to {
				if n := placeWordAt(text, after[k], to); n > 0 {
					out = append(out, [2]int{i, after[k] + n})
					i, matched = after[k]+n, true
					break
				}
			}
		}
		if !matched {
			_, n := utf8.DecodeRuneInString(text[i:to])
			i += n
		}
	}
	return out
}

// placeSuffixes are the place words, longest first.
// 有限公司 is one word, so that its 有 is not taken for the verb
// (恒通建设有限公司 is not 限公司) nor its 有限 for part of the name.
var placeSuffixes = append([]string{"有限责任公司", "有限公司", "幼儿园", "搅拌站", "工业园", "高铁站", "小区", "花园", "家园", "新城", "之城", "广场", "学院", "大学",
	"中学", "小学", "医院", "公司", "集团", "市场", "社区", "大厦", "公寓", "车贷", "苑", "村"}, liEstates...)

// placeTraps are the words a place word begins rather than ends: 村民 are
// villagers (两户相邻村民 names no village), 大学生 and 小学生 students,
// 广场舞 a dance held anywhere (小区广场舞 is about the estate), 市场监管
// and 市场价 the market in the abstract. A place word followed by one of
// them is no place. 社区居民 and 公司员工 are still about the community
// and the company, and 村委会 about the village, so they are not here.
var placeTraps = func() map[string][]string {
	m := map[string][]string{
		"村":  {"民"},
		"大学": {"生"},
		"中学": {"生"},
		"小学": {"生"},
		"广场": {"舞"},
		"市场": {"监管", "监督", "价", "秩序", "经济", "行情", "化", "准入", "主体", "部"},
	}
	// 一里路程, 一里地远, 一里多路, 一里开外: a distance, not an estate
	// (湖滨一里路口, 湖滨一里地下车库, 湖滨四里外墙 are the estate); 七里山,
	// 五里堡, 七里香, 二里牌: a longer name the 里 does not end.
	for _, w := range liEstates {
		m[w] = []string{"路程", "路远", "路才", "路就", "路到", "地远", "地才", "多路", "多远", "远", "开外", "左右",
			"山", "堡", "香", "牌"}
	}
	return m
}()

// genericNames are words that say what kind of place, or which one, but
// are no name: 劳务公司, 物业公司 and 配套小学 are a labour-service
// company, the property company and the school promised with an estate,
// and every message about such a matter says them. A name made of these
// alone, or of one character before them (原物业公司, 问该公司), is no
// place; one with a proper name before them (恒通劳务公司) is. Single
// characters are here only when they seldom end a proper name (该, 菜).
var genericNames = []string{
	// trades and services
	"劳务", "物业", "装修", "建筑", "建设", "保洁", "中介", "快递", "外卖", "培训", "家政", "保安", "施工",
	"开发", "房产", "房地产", "地产", "搬家", "运输", "物流", "监理", "自来水", "供水", "燃气", "公交", "股份",
	// kinds of estate, school, hospital and market
	"配套", "安置", "住宅", "保障性住房", "保障房", "长租", "老旧", "旧", "商品房", "公立", "公办", "私立", "民办", "专科", "综合", "农贸", "菜",
	// where or which
	"附近", "周边", "周围", "旁边", "隔壁", "对面", "相邻", "本", "该", "此", "各", "每", "某", "总", "分", "一家", "两家", "几家", "多家", "整个",
}

// placeVerbs are the requests that come before a place in a sentence
// (建议增开文屏社区…), and the words that begin a clause in a text
// written without commas (处理结果公司不予回复, 目前公司拖欠工资): a place
// is what follows the last of them.
var placeVerbs = []string{"建议", "增开", "增设", "开通", "要求", "举报", "请求", "呼吁", "启动", "规范", "督促", "更换", "确认", "核定", "公开", "留下", "路过", "经过",
	"结果", "目前", "现在", "但是", "可是", "而且", "并且", "因为", "由于", "所以", "如果", "然后", "后来", "最后",
	"导致", "造成", "同时", "其中", "当时", "时候", "发现", "今天", "昨天", "已经", "一直", "至今"}

// Suffix returns the place word w ends with (小区, 社区, 有限公司…), "" when
// none.
func Suffix(w string) string {
	for _, x := range placeSuffixes {
		if strings.HasSuffix(w, x) {
			return x
		}
	}
	if i := strings.LastIndex(w, "地铁"); i >= 0 {
		return w[i:] // 地铁3号线
	}
	return ""
}

// Names returns the places text names, trimmed (trimPlace). A place
// word caught in a trap (placeTraps) or with no name before it is
// dropped; what comes before it, or what trimPlace cut off, is looked at
// again: 洞井村村民 is 洞井村, 金山小区物业公司 is 金山小区,
// 金山小区恒通有限公司 is both.
func Names(text string) []string {
	var names []string
	var scan func(from, to int)
	scan = func(from, to int) {
		for _, loc := range placeMatches(text, from, to) {
			start, end := loc[0], loc[1]
			suffix := Suffix(text[start:end])
			trapped := slices.ContainsFunc(placeTraps[suffix], func(t string) bool { return strings.HasPrefix(text[end:], t) })
			kept := suffix // never empty: placeWords ends in one
			if w := trimPlace(text[start:end]); w != "" && !trapped {
				names = append(names, w)
				kept = w
			}
			scan(start, end-len(kept))
		}
	}
	scan(0, len(text))
	return names
}

// trimPlace keeps the name in front of a place word: what follows the last
// function word, request or administrative area ("反映丽发新城" → 丽发新城,
// "建议增开文屏社区" → 文屏社区), the place word itself left whole (小区 is
// not cut at its 区). It returns "" when no name is left, or only a
// generic one (genericNames).
func trimPlace(w string) string {
	for _, v := range placeVerbs {
		if i := strings.LastIndex(w, v); i >= 0 {
			w = w[i+len(v):]
		}
	}
	suffix := Suffix(w)
	rs := []rune(strings.TrimSuffix(w, suffix))
	cut := 0
	for i, r := range rs {
		// 套 counts a flat: 名下有一套朝元社区的老房子 names 朝元社区.
		if strings.ContainsRune("的在了是和与及对向把被为于到从去往给让请将有无我你他们这那个套市区县省镇乡路道街反映投诉关于咨询希望近示称问说找而", r) || r < unicode.MaxASCII ||
			r == '住' && len(rs)-i > 2 && !strings.ContainsRune("宅房户院进建", rs[i+1]) {
			// 住 before a name of two or more is living there (申请人黄辉住万寿北社区);
			// before one it is part of the name (福住小区), and 住宅, 住房,
			// 住户, 住院, 住进, 住建局 are other words.
			cut = i + 1
		}
	}
	if cut > 0 && len(rs)-cut == 1 && rs[cut-1] == '市' && suffix == "社区" {
		cut-- // one character after 市 is no community's name, but the two may be: 市头社区
	}
	if k := len(rs); k > 0 && strings.ContainsRune("进出回入", rs[k-1]) &&
		(k-1 == cut || strings.ContainsRune("主民户人辆员卖递搬走开驶进出", rs[k-2])) {
		// Going in or out, by whoever goes, is no name: 不让业主进小区,
		// 搬出小区, 车辆进出小区 (but 前进村, 跃进社区, 日出花园 are).
		return ""
	}
	name := string(rs[cut:])
	proper := withoutGeneric(name)
	if suffix == "广场" {
		// Any estate's 中心广场 (后坑社区中心广场, cut at its 区) is
		// no name; a town's 中心医院 or 中心小学 is one.
		proper = strings.TrimSuffix(proper, "中心")
	}
	switch n := utf8.RuneCountInString(proper); {
	case n == 0:
		return "" // a place word with no name before it, or a generic one
	case n == 1 && (proper != name || strings.HasSuffix(suffix, "公司") || suffix == "集团" || slices.Contains(liEstates, suffix)):
		// One character before a generic word is no name (原物业公司,
		// 问该公司), nor is one before a company word: a company's name
		// has two at least, so 资有限公司 is 普惠投资有限公司 cut at the
		// 投 of 投诉; nor one before a 里 (县城东里 is no estate 城东里).
		return ""
	case slices.Contains(liEstates, suffix) && strings.ContainsRune("走跑行约近", []rune(proper)[n-1]):
		return "" // a distance walked: 往前走一里
	}
	return name + suffix
}

// withoutGeneric returns name without the generic words (genericNames) it
// ends with: 恒通劳务 is 恒通, 一家物业 nothing.
func withoutGeneric(name string) string {
	for {
		i := slices.IndexFunc(genericNames, func(g string) bool { return strings.HasSuffix(name, g) })
		if i < 0 {
			return name
		}
		name = strings.TrimSuffix(name, genericNames[i])
	}
}
