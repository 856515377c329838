package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/classify"
	"pingan/internal/sharedtest"
)

// The intake desk's suggestions: categories from the classifier, best
// first, each with the catalogue category its label names (as deep as the
// model is sure), and natures with their names.
func TestSuggestEndpoint(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "intake", "leader")
	b := signedIn(t, env, "intake")
	type sugg struct {
		Label      string  `json:"label"`
		Name       string  `json:"name"`
		Path       string  `json:"path"`
		Confidence float64 `json:"confidence"`
		CategoryID int64   `json:"category_id"`
	}
	ask := func(title, body string) (cats, natures []sugg) {
		t.Helper()
		p := b.get("/intake/suggest?" + url.Values{"title": {title}, "body": {body}}.Encode())
		var out struct{ Suggestions, Natures []sugg }
		if err := json.Unmarshal([]byte(p.Body), &out); err != nil || len(out.Suggestions) == 0 || len(out.Suggestions) > 3 || len(out.Natures) > 2 {
			t.Fatalf("suggestions: %v %s", err, p.Body)
		}
		for _, l := range [][]sugg{out.Suggestions, out.Natures} {
			for _, s := range l {
				if s.Confidence < 0.005 {
					t.Errorf("a suggestion the page would show as 0%%: %+v", s)
				}
			}
			for i := 1; i < len(l); i++ {
				if l[i].Confidence > l[i-1].Confidence {
					t.Errorf("not best first: %+v", l)
				}
			}
		}
		return out.Suggestions, out.Natures
	}
	byLabel := func(label string) int64 {
		t.Helper()
		c, ok, err := env.App.Catalog.ByLabel(context.Background(), label)
		if err != nil || !ok {
			t.Fatalf("category %s: %v", label, err)
		}
		return c.ID
	}
	cats, natures := ask("小学附近网吧违规接纳未成年人", "学校旁边的网吧天天有小学生进出，老板也不管，投诉")
	if c := cats[0]; c.Label != "教育文体" || c.Name != "教育文体" || c.Path != "教育文体" || c.CategoryID != byLabel("教育文体") || c.Confidence < 0.5 {
		t.Errorf("first category: %+v", c)
	}
	// In English the category is named in English; the label, which the
	// model learnt, stays as it is.
	b.post("/lang", url.Values{"lang": {"en"}})
	if c, _ := ask("小学附近网吧违规接纳未成年人", "学校旁边的网吧天天有小学生进出，老板也不管，投诉"); c[0].Label != "教育文体" ||
		c[0].Name != "Education, culture and sports" || c[0].Path != c[0].Name {
		t.Errorf("first category in English: %+v", c[0])
	}
	b.post("/lang", url.Values{"lang": {"zh-CN"}})
	if len(natures) != 2 || natures[0].Label != "complaint" || natures[0].Name != "投诉" || natures[0].Confidence < 0.5 {
		t.Errorf("natures: %+v", natures)
	}
	// A model that learnt a deep label suggests it, with its category.
	gold, err := classify.ReadExamplesFile(sharedtest.Path(t, "teddy_messages_train.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	gas := "城乡建设/城市建设和市政管理/燃气供应"
	var extra []classify.Example
	for _, text := range []string{"燃气管道漏气无人维修", "天然气初装费太高", "燃气公司乱收费", "小区燃气供应中断", "天然气价格上涨", "燃气表计量不准",
		"燃气公司服务态度差", "天然气管道改造拖延", "燃气开户收费不合理", "燃气安全检查走过场"} {
		extra = append(extra, classify.Example{Subject: text, Body: "我们小区" + text + "，燃气公司不解决，天然气用户很无奈。", Category: gas})
	}
	f := classify.DefaultFeatures
	f.Bits = 15
	m, err := classify.Train(gold, classify.TrainOptions{Features: f, Extra: extra, CalibrationFolds: 2})
	if err != nil {
		t.Fatal(err)
	}
	env.App.Classifier.Set(m)
	cats, _ = ask("燃气公司收费太高", "小区天然气管道初装费太贵，燃气公司乱收费，天然气用户投诉")
	if c := cats[0]; c.Label != gas || c.Name != "燃气供应" || c.Path != "城乡建设 / 城市建设和市政管理 / 燃气供应" || c.CategoryID != byLabel(gas) {
		t.Errorf("deep suggestion: %+v", cats)
	}
	if p := signedIn(t, env, "leader").get("/intake/suggest?title=x"); p.Status != http.StatusForbidden {
		t.Fatalf("a leader: %d", p.Status)
	}
}

// A category and nature chosen at the intake desk are kept as a label to
// learn from, with the category's full path, and the case.receive audit
// record says what the classifier suggested and what was chosen.
func TestIntakeChoiceIsLearnt(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "intake")
	b := signedIn(t, env, "intake")
	ctx := context.Background()
	label := "城乡建设/住房保障与房地产/物业服务"
	cat, ok, err := env.App.Catalog.ByLabel(ctx, label)
	if err != nil || !ok {
		t.Fatalf("category %s: %v", label, err)
	}
	b.get("/intake")
	p := b.post("/intake", url.Values{"channel": {"hotline"}, "title": {"物业公司不作为"}, "body": {"小区物业公司收了物业费却不打扫卫生，电梯坏了也不修。"},
		"category_id": {strconv.FormatInt(cat.ID, 10)}, "nature": {"complaint"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("intake: %d\n%s", p.Status, excerpt(p.Body))
	}
	u, err := url.Parse(p.Location)
	if err != nil {
		t.Fatal(err)
	}
	number := u.Query().Get("saved")
	d, err := env.App.Cases.Get(ctx, access.System("test"), number)
	if err != nil {
		t.Fatal(err)
	}
	sg := d.Case.Suggestion
	if sg == nil || sg.Label == "" || sg.Nature == "" {
		t.Fatalf("no suggestion on a classified report: %+v", sg)
	}
	var suggested, chosen, chosenNature string
	if err := env.App.DB.QueryRowContext(ctx, "SELECT suggested, chosen, chosen_nature FROM classify_feedback WHERE case_id = $1",
		d.Case.ID).Scan(&suggested, &chosen, &chosenNature); err != nil || suggested != sg.Label || chosen != label || chosenNature != "complaint" {
		t.Fatalf("feedback: %q %q %q %v", suggested, chosen, chosenNature, err)
	}
	recs, err := env.App.Audit.List(ctx, env.App.DB, audit.Filter{Action: "case.receive", ObjectID: number, Limit: 1})
	if err != nil || len(recs) != 1 {
		t.Fatalf("audit: %v %+v", err, recs)
	}
	var detail map[string]any
	if err := json.Unmarshal([]byte(recs[0].Detail), &detail); err != nil {
		t.Fatal(err)
	}
	if detail["suggested_category"] != sg.Label || detail["chosen_category"] != label || detail["suggested_nature"] != sg.Nature ||
		detail["chosen_nature"] != "complaint" || detail["category_followed"] != classify.Agrees(label, sg.Label) {
		t.Errorf("audit detail: %v", detail)
	}
}
