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

func checkPlaces(t *testing.T, what string, m map[string][]string, min int) {
	t.Helper()
	if len(m) != len(districtCodes) {
		t.Errorf("%s has %d districts, want %d", what, len(m), len(districtCodes))
	}
	for _, code := range districtCodes {
		list := m[code]
		if len(list) < min {
			t.Errorf("%s[%s] has %d entries, want at least %d", what, code, len(list), min)
		}
		checkList(t, what+"["+code+"]", list)
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
	checkPlaces(t, "Roads", Roads, 12)
	checkPlaces(t, "Estates", Estates, 10)
	checkPlaces(t, "Landmarks", Landmarks, 10)
	if len(Streets) != len(townshipCodes) {
		t.Errorf("Streets has %d townships, want %d", len(Streets), len(townshipCodes))
	}
	for _, code := range townshipCodes {
		if len(Streets[code]) < 2 {
			t.Errorf("Streets[%s] has %d entries, want at least 2", code, len(Streets[code]))
		}
		checkList(t, "Streets["+code+"]", Streets[code])
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
