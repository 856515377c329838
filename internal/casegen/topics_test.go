package casegen

import (
	"encoding/csv"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"pingan/internal/division"
	"pingan/internal/sharedtest"
)

var allowedPlaceholders = map[string]bool{
	"road": true, "estate": true, "landmark": true, "street": true, "shop": true,
	"company": true, "name": true, "surname": true, "time": true, "days": true,
	"n": true, "amount": true, "date": true,
}

var (
	hotlineNatures  = set("consult", "help", "complaint", "report", "suggestion")
	petitionNatures = set("petition_suggestion", "petition_accusation", "petition_claim")
	policeNatures   = set("police_criminal", "police_public_order", "police_traffic",
		"police_dispute", "police_help", "police_other")
	disputeNatures = set("dispute_mediation", "dispute_petition", "dispute_arbitration",
		"dispute_admin_ruling", "dispute_reconsideration", "dispute_litigation")
	knownHandlers = set("street", "police", "justice", "mediation", "court",
		"dept:CG", "dept:SC", "dept:RS", "dept:JS",
		"city:JY", "city:WJ", "city:HB", "city:JT", "city:MZ", "city:SZ", "city:ZR",
		"petition")
)

// policeCatalogue and disputeCatalogue are the two-level catalogues topics
// of those domains must draw their categories from.
var policeCatalogue = map[string][]string{
	"刑事案件": {"盗窃", "电信网络诈骗", "其他诈骗", "抢劫抢夺", "故意伤害", "涉毒", "其他刑事案件"},
	"治安案件": {"打架斗殴", "噪声扰民", "寻衅滋事", "赌博", "侵犯隐私", "其他治安案件"},
	"交通警情": {"交通事故", "交通拥堵", "违法停车", "酒驾醉驾", "其他交通警情"},
	"纠纷警情": {"家庭纠纷", "邻里纠纷", "经济纠纷", "劳资纠纷", "其他纠纷"},
	"求助警情": {"走失寻人", "急病救助", "开锁求助", "其他求助"},
	"灾害事故": {"火灾", "溺水", "其他灾害事故"},
}

var disputeCatalogue = map[string][]string{
	"矛盾纠纷": {"婚姻家庭纠纷", "邻里纠纷", "房屋宅基地纠纷", "合同纠纷", "劳动争议", "物业纠纷",
		"医疗纠纷", "道路交通事故纠纷", "征地拆迁纠纷", "山林土地纠纷", "损害赔偿纠纷", "消费纠纷", "其他纠纷"},
}

var districtCodes = []string{"350203", "350205", "350206", "350211", "350212", "350213"}

var townshipCodes = []string{
	"350203001", "350203003", "350203005", "350203006", "350203007", "350203008",
	"350203009", "350203010", "350203011", "350203012", "350205001", "350205002",
	"350205003", "350205004", "350206001", "350206002", "350206003", "350206004",
	"350206005", "350211001", "350211002", "350211003", "350211004", "350211102",
	"350211103", "350212001", "350212002", "350212003", "350212004", "350212005",
	"350212006", "350212007", "350212105", "350212107", "350212109", "350212110",
	"350213001", "350213002", "350213003", "350213004", "350213005", "350213006",
	"350213007", "350213103", "350213111",
}

func set(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// placeholders returns the names used in braces in tmpl, or an error message
// when the braces are unbalanced or nested.
func placeholders(tmpl string) ([]string, string) {
	var names []string
	for i := 0; i < len(tmpl); i++ {
		switch tmpl[i] {
		case '}':
			return nil, "unmatched closing brace"
		case '{':
			j := strings.IndexAny(tmpl[i+1:], "{}")
			if j < 0 || tmpl[i+1+j] != '}' {
				return nil, "unclosed or nested opening brace"
			}
			names = append(names, tmpl[i+1:i+1+j])
			i += 1 + j
		}
	}
	return names, ""
}

// standIn replaces every placeholder with a three-character stand-in.
func standIn(tmpl string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		b.WriteString("某某某")
		tmpl = tmpl[i+j+1:]
	}
}

func topicLabel(i int, tp Topic) string {
	return fmt.Sprintf("topic %d (%s/%s)", i, tp.Domain, strings.Join(tp.Category, "/"))
}

func hasLatin(s string) bool {
	for _, r := range s {
		if r < unicode.MaxASCII && unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func TestTopicsWellFormed(t *testing.T) {
	if len(Topics) < 45 {
		t.Fatalf("only %d topics, want at least 45", len(Topics))
	}
	petitionTopics := 0
	for i, tp := range Topics {
		label := topicLabel(i, tp)
		if len(tp.Titles) < 3 {
			t.Errorf("%s: %d titles, want at least 3", label, len(tp.Titles))
		}
		if len(tp.Bodies) < 3 {
			t.Errorf("%s: %d bodies, want at least 3", label, len(tp.Bodies))
		}
		if tp.Weight <= 0 {
			t.Errorf("%s: weight %d, want > 0", label, tp.Weight)
		}
		if !knownHandlers[tp.Handler] {
			t.Errorf("%s: unknown handler %q", label, tp.Handler)
		}
		if len(tp.Natures) == 0 {
			t.Errorf("%s: no natures", label)
		}
		seen := map[string]bool{}
		hasPetition := false
		for _, n := range tp.Natures {
			if seen[n] {
				t.Errorf("%s: nature %q listed twice", label, n)
			}
			seen[n] = true
			var ok bool
			switch tp.Domain {
			case "civic":
				ok = hotlineNatures[n] || petitionNatures[n]
			case "police":
				ok = policeNatures[n]
			case "dispute":
				ok = disputeNatures[n]
			}
			if !ok {
				t.Errorf("%s: nature %q not allowed for domain %q", label, n, tp.Domain)
			}
			if petitionNatures[n] {
				hasPetition = true
			}
		}
		if hasPetition {
			petitionTopics++
		}
		if tp.Handler == "petition" && !hasPetition {
			t.Errorf("%s: handled by the petition bureau but has no petition nature", label)
		}
		switch tp.Domain {
		case "civic", "police", "dispute":
		default:
			t.Errorf("%s: invalid domain %q", label, tp.Domain)
		}
	}
	if petitionTopics < 3 {
		t.Errorf("only %d civic topics take petition natures, want at least 3", petitionTopics)
	}
}

func TestTemplatePlaceholders(t *testing.T) {
	for i, tp := range Topics {
		label := topicLabel(i, tp)
		all := append(append([]string{}, tp.Titles...), tp.Bodies...)
		for _, tmpl := range all {
			names, problem := placeholders(tmpl)
			if problem != "" {
				t.Errorf("%s: %s in %q", label, problem, tmpl)
				continue
			}
			for _, n := range names {
				if !allowedPlaceholders[n] {
					t.Errorf("%s: unknown placeholder {%s} in %q", label, n, tmpl)
				}
			}
			if hasLatin(standIn(tmpl)) {
				t.Errorf("%s: Latin letters in %q", label, tmpl)
			}
		}
	}
}

func TestTemplateLengths(t *testing.T) {
	for i, tp := range Topics {
		label := topicLabel(i, tp)
		for _, body := range tp.Bodies {
			if n := utf8.RuneCountInString(standIn(body)); n < 40 || n > 200 {
				t.Errorf("%s: body is %d runes, want 40–200: %q", label, n, body)
			}
		}
		for _, title := range tp.Titles {
			if n := utf8.RuneCountInString(standIn(title)); n < 8 || n > 25 {
				t.Errorf("%s: title is %d runes, want 8–25: %q", label, n, title)
			}
		}
	}
}

func TestTemplatesDistinct(t *testing.T) {
	seen := map[string]int{}
	for i, tp := range Topics {
		for _, s := range append(append([]string{}, tp.Titles...), tp.Bodies...) {
			if j, ok := seen[s]; ok {
				t.Errorf("template %q appears in topics %d and %d", s, j, i)
			}
			seen[s] = i
		}
	}
}

func TestCivicCategoriesInTaxonomy(t *testing.T) {
	path := sharedtest.Path(t, "teddy_label_taxonomy.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || len(rows[0]) < 3 || rows[0][0] != "level1" {
		t.Fatalf("unexpected taxonomy header %v", rows[:1])
	}
	taxonomy := map[string]bool{}
	for _, r := range rows[1:] {
		taxonomy[strings.Join(r[:3], "|")] = true
	}
	for i, tp := range Topics {
		if tp.Domain != "civic" {
			continue
		}
		if len(tp.Category) != 3 || !taxonomy[strings.Join(tp.Category, "|")] {
			t.Errorf("%s: category %v is not a row of the taxonomy", topicLabel(i, tp), tp.Category)
		}
	}
}

func TestPoliceAndDisputeCategories(t *testing.T) {
	for i, tp := range Topics {
		var cat map[string][]string
		switch tp.Domain {
		case "police":
			cat = policeCatalogue
		case "dispute":
			cat = disputeCatalogue
		default:
			continue
		}
		ok := false
		if len(tp.Category) == 2 {
			for _, leaf := range cat[tp.Category[0]] {
				if leaf == tp.Category[1] {
					ok = true
				}
			}
		}
		if !ok {
			t.Errorf("%s: category %v not in the %s catalogue", topicLabel(i, tp), tp.Category, tp.Domain)
		}
	}
}

func checkList(t *testing.T, what string, list []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, s := range list {
		if s == "" || strings.ContainsAny(s, "{} ") || hasLatin(s) {
			t.Errorf("%s: bad entry %q", what, s)
		}
		if seen[s] {
			t.Errorf("%s: duplicate entry %q", what, s)
		}
		seen[s] = true
	}
}

func TestPlaceVocabulary(t *testing.T) {
	for what, m := range map[string]map[string][]string{"Roads": Roads, "Estates": Estates, "Landmarks": Landmarks, "Streets": Streets} {
		for code, list := range m {
			if !slices.Contains(townshipCodes, code) {
				t.Errorf("%s[%s]: not a township", what, code)
			}
			checkList(t, what+"["+code+"]", list)
		}
	}
	roads := 0
	for _, code := range townshipCodes {
		if len(Streets[code]) < 2 {
			t.Errorf("Streets[%s] has %d entries, want at least 2", code, len(Streets[code]))
		}
		roads += len(Roads[code])
	}
	if roads < 140 {
		t.Errorf("%d roads across the townships, want at least 140", roads)
	}
	for _, code := range districtCodes {
		n := 0
		for _, tc := range townshipCodes {
			if strings.HasPrefix(tc, code) {
				n += len(Roads[tc])
			}
		}
		if n < 8 { // the outer districts' rural towns list none: their addresses name villages
			t.Errorf("district %s has %d roads, want at least 8", code, n)
		}
	}
}

// A place is listed under the township it lies in: under no other, and
// (but for roads, which run through several) once. The walkthrough's
// mistakes are the table's first rows: 鼓浪屿 cases on roads of the main
// island, 翔安's 内厝 under 鼓浪屿, the cruise terminal under 江头.
func TestPlacesAreTheirTownships(t *testing.T) {
	vocab := map[string]map[string][]string{"Roads": Roads, "Estates": Estates, "Landmarks": Landmarks, "Streets": Streets}
	for _, tc := range []struct {
		place    string
		township string // the only one it may be listed under; "" for nowhere
	}{
		{"湖滨中路", "350203009"},
		{"禾祥东路", "350203009"},
		{"内厝社区", "350213111"},     // 内厝镇, 翔安区
		{"内厝澳社区", "350203012"},    // 鼓浪屿's other community
		{"厦门国际邮轮中心", "350206001"}, // 东港北路, 湖里街道 (东渡)
		{"龙头路", "350203012"},
		{"日光岩", "350203012"},
		{"厦门大学", "350203001"},
		{"厦门北站", "350211103"},
		{"钟宅畲族社区", "350206003"},
		{"三秀社区", "350212001"}, // 同安's, not 杏滨's
	} {
		found := false
		for what, m := range vocab {
			for code, list := range m {
				if slices.Contains(list, tc.place) {
					found = true
					if code != tc.township {
						t.Errorf("%s is listed under %s's %s; it is in %s", tc.place, code, what, tc.township)
					}
				}
			}
		}
		if !found {
			t.Errorf("%s is listed nowhere; want it under %s", tc.place, tc.township)
		}
	}
	// Estates, landmarks and places lie in one township.
	where := map[string]string{}
	for _, m := range []map[string][]string{Estates, Landmarks, Streets} {
		for code, list := range m {
			for _, w := range list {
				if o, ok := where[w]; ok && o != code {
					t.Errorf("%s is listed under %s and %s", w, o, code)
				}
				where[w] = code
			}
		}
	}
	// A place's name names no other division: routing and duplicate
	// detection read the township from a report's words (division.FromText).
	for what, m := range vocab {
		for code, list := range m {
			for _, w := range list {
				for _, mt := range division.Mentions(w) {
					if d := mt.Division.Code; d != code && d != code[:6] && d != division.XiamenCode {
						t.Errorf("%s[%s]: %s names %s (%s)", what, code, w, mt.Division.Name, mt.Word)
					}
				}
			}
		}
	}
}

// No topic that needs vehicles happens on a car-free island: every report
// of the traffic topics needs them (so that they are never drawn there),
// and every car-free township has topics left of each domain.
func TestTrafficTopicsNeedVehicles(t *testing.T) {
	traffic := set("交通警情", "道路交通事故纠纷", "交通安全管理", "公共汽车")
	domains := map[string]bool{}
	for i, tp := range Topics {
		all := true
		for j := range tp.Titles {
			all = all && tp.NeedsVehicles(j)
		}
		if slices.ContainsFunc(tp.Category, func(c string) bool { return traffic[c] }) && !all {
			t.Errorf("%s: a traffic topic with a report that needs no vehicles", topicLabel(i, tp))
		}
		if !all {
			domains[tp.Domain] = true
		}
	}
	if len(domains) != 3 {
		t.Errorf("a car-free township has topics of %v only", domains)
	}
	if len(CarFree) == 0 || !CarFree["350203012"] {
		t.Errorf("鼓浪屿 is not car-free: %v", CarFree)
	}
}

// The townships with villages, where reports set in a village happen, are
// read off their places (Villages: those named …村): every town (镇) has
// some; the old town, 鼓浪屿 and 湖里, long all 社区, have none; the outer
// districts' 街道 some.
func TestVillagesAreTheTownsAndOuterStreets(t *testing.T) {
	for _, code := range townshipCodes {
		d, ok := division.ByCode(code)
		if !ok {
			t.Fatalf("%s: no such township", code)
		}
		vs := Villages(code)
		if strings.HasSuffix(d.Name, "镇") && len(vs) == 0 {
			t.Errorf("%s, a town, has no villages among %v", d.Name, Streets[code])
		}
		if (strings.HasPrefix(code, "350203") || strings.HasPrefix(code, "350206")) && len(vs) > 0 {
			t.Errorf("%s has villages %v", d.Name, vs)
		}
	}
	for _, tc := range []struct {
		township string
		village  string // "" for none
	}{
		{"350203003", ""},     // 中华街道
		{"350203012", ""},     // 鼓浪屿
		{"350203011", ""},     // 嘉莲街道: 莲花五村社区 is a 社区
		{"350205001", "青礁村"},  // 海沧街道
		{"350212105", "军营村"},  // 莲花镇
		{"350213111", "莲塘村"},  // 内厝镇
		{"350211103", "后溪村"},  // 后溪镇: 新村社区 is a 社区
		{"350212007", ""},     // 美林街道
		{"350213001", ""},     // 大嶝街道
		{"350205004", "东瑶村"},  // 东孚街道
		{"350212003", "柑岭村"},  // 新民街道
		{"350211102", "深青村"},  // 灌口镇
		{"350212110", "三秀山村"}, // 五显镇
		{"350213103", "古宅村"},  // 新圩镇
		{"350212109", "造水村"},  // 汀溪镇
		{"350212107", "郭山村"},  // 洪塘镇
		{"350205003", "石塘村"},  // 嵩屿街道
		{"350205002", "新垵村"},  // 新阳街道
		{"350211001", ""},     // 集美街道
		{"350213003", ""},     // 新店街道
	} {
		vs := Villages(tc.township)
		if tc.village == "" && len(vs) > 0 || tc.village != "" && !slices.Contains(vs, tc.village) {
			t.Errorf("Villages(%s) = %v, want %q", tc.township, vs, tc.village)
		}
	}
}

// Reports set in a village say so, and those of the land and homestead
// matters all are: a homestead or hill dispute is never drawn in a 社区.
func TestRuralTopicsNeedVillages(t *testing.T) {
	rural := set("山林土地纠纷", "房屋宅基地纠纷", "土地权属纠纷", "失地农民保障")
	n := 0
	for i, tp := range Topics {
		for j := range tp.Titles {
			if tp.NeedsVillage(j) {
				n++
			} else if slices.ContainsFunc(tp.Category, func(c string) bool { return rural[c] }) {
				t.Errorf("%s: report %d is not set in a village", topicLabel(i, tp), j)
			}
			if tp.NeedsTown(j) && !tp.NeedsVillage(j) {
				t.Errorf("%s: report %d has the town act, not in a village", topicLabel(i, tp), j)
			}
		}
	}
	if n < 15 {
		t.Errorf("%d reports set in a village, want at least 15", n)
	}
}

func TestPeopleAndBusinessVocabulary(t *testing.T) {
	unique := map[string]bool{}
	for _, s := range Surnames {
		if n := utf8.RuneCountInString(s); n < 1 || n > 2 || hasLatin(s) {
			t.Errorf("bad surname %q", s)
		}
		unique[s] = true
	}
	if len(unique) < 60 {
		t.Errorf("%d distinct surnames, want at least 60", len(unique))
	}
	if len(Surnames) == len(unique) {
		t.Errorf("surnames are not weighted: no surname repeats")
	}
	if len(GivenNames) < 120 {
		t.Errorf("%d given names, want at least 120", len(GivenNames))
	}
	for _, s := range GivenNames {
		if n := utf8.RuneCountInString(s); n < 1 || n > 2 {
			t.Errorf("given name %q is not 1–2 characters", s)
		}
	}
	checkList(t, "GivenNames", GivenNames)
	if len(Shops) < 30 {
		t.Errorf("%d shops, want at least 30", len(Shops))
	}
	checkList(t, "Shops", Shops)
	if len(Companies) < 20 {
		t.Errorf("%d companies, want at least 20", len(Companies))
	}
	checkList(t, "Companies", Companies)
}

// A title speaks of its report's place: when a report names places
// ({road}, {estate}, {landmark}, {street}) and its title names one, the
// report names that one too — never only another (海沧保税港区门口夜市摊位
// over a report about 沧湖东一里's shops). A report naming no place is
// placed by its address, drawn with the title's.
func TestTitlesNameTheirReportsPlaces(t *testing.T) {
	place := map[string]bool{"road": true, "estate": true, "landmark": true, "street": true}
	for i, tp := range Topics {
		label := topicLabel(i, tp)
		for j := range tp.Titles {
			title, body := tp.Report(j)
			inBody, _ := placeholders(body)
			if !slices.ContainsFunc(inBody, func(n string) bool { return place[n] }) {
				continue
			}
			names, _ := placeholders(title)
			for _, n := range names {
				if place[n] && !slices.Contains(inBody, n) {
					t.Errorf("%s: title %q names {%s}, its report only others: %q", label, title, n, body)
				}
			}
		}
	}
}

// A shop or company a title names is its report's (drawn once a case):
// the title of a report about a 夜宵店 names no other shop.
func TestTitlesNameTheirReportsShops(t *testing.T) {
	for i, tp := range Topics {
		label := topicLabel(i, tp)
		for j := range tp.Titles {
			title, body := tp.Report(j)
			inBody, _ := placeholders(body)
			names, _ := placeholders(title)
			for _, n := range names {
				if (n == "shop" || n == "company") && !slices.Contains(inBody, n) {
					t.Errorf("%s: title %q names {%s}, its report does not: %q", label, title, n, body)
				}
			}
		}
	}
}
