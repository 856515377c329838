package casework_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/casework"
	"pingan/internal/classify"
	"pingan/internal/fault"
)

// feedbackRows returns a case's classifier feedback, oldest first:
// suggested, chosen, suggested nature, chosen nature.
func feedbackRows(t *testing.T, env *apptest.Env, caseID int64) [][4]string {
	t.Helper()
	rows, err := env.App.DB.QueryContext(context.Background(), `SELECT suggested, chosen, COALESCE(suggested_nature, ''),
		COALESCE(chosen_nature, '') FROM classify_feedback WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][4]string
	for rows.Next() {
		var r [4]string
		if err := rows.Scan(&r[0], &r[1], &r[2], &r[3]); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// auditDetail returns the detail of the latest audit record of action on
// the case.
func auditDetail(t *testing.T, env *apptest.Env, action, number string) map[string]any {
	t.Helper()
	recs, err := env.App.Audit.List(context.Background(), env.App.DB, audit.Filter{Action: action, ObjectID: number, Limit: 1})
	if err != nil || len(recs) != 1 {
		t.Fatalf("audit %s %s: %v %+v", action, number, err, recs)
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(recs[0].Detail), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// categoryByLabel finds a catalogue category by its path label.
func categoryByLabel(t *testing.T, env *apptest.Env, label string) int64 {
	t.Helper()
	c, ok, err := env.App.Catalog.ByLabel(context.Background(), label)
	if err != nil || !ok || c.Name != label[strings.LastIndex(label, "/")+1:] {
		t.Fatalf("category %s: %+v %v %v", label, c, ok, err)
	}
	return c.ID
}

// Every report gets the classifier's suggestion, classified or not; each
// time an operator sets a category or nature — at intake, registering,
// reclassifying — their choice is kept as a label to learn from (the
// category as its full path), confirmation or correction alike, and the
// audit record says what was suggested and chosen for both.
func TestClassifierSuggestionAndFeedback(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
		Title: "小学附近网吧违规接纳未成年人", Body: "学校旁边的网吧天天有小学生进出，老板也不管，希望教育和文化部门检查。"})
	if err != nil {
		t.Fatal(err)
	}
	sg := res.Case.Suggestion
	labels := []string{"交通运输", "劳动和社会保障", "卫生计生", "商贸旅游", "城乡建设", "教育文体", "环境保护"}
	if sg == nil || !slices.Contains(labels, sg.Label) || sg.Confidence <= 0 || sg.Confidence > 1 || sg.Model == "" {
		t.Fatalf("suggestion: %+v", sg)
	}
	// The suggested label names a catalogue category.
	if sg.CategoryID != categoryByLabel(t, env, sg.Label) {
		t.Errorf("suggestion's category %d, want that of %s", sg.CategoryID, sg.Label)
	}
	// The model suggests a nature too (learnt from the messages' own words).
	if sg.Nature == "" || sg.NatureConfidence <= 0 {
		t.Errorf("no nature suggested: %+v", sg)
	}
	if rows := feedbackRows(t, env, res.Case.ID); len(rows) != 0 {
		t.Fatalf("feedback with nothing chosen: %v", rows)
	}
	if d := auditDetail(t, env, "case.receive", res.Case.Number); d["chosen_category"] != nil {
		t.Errorf("receive audit without a choice: %v", d)
	}

	// The operator registers it under 教育文体 as a complaint.
	edu := categoryByLabel(t, env, "教育文体")
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), res.Case.Number, casework.Register,
		casework.ActionInput{CategoryID: edu, Nature: "complaint"}); err != nil {
		t.Fatal(err)
	}
	if rows := feedbackRows(t, env, res.Case.ID); !slices.Equal(rows, [][4]string{{sg.Label, "教育文体", sg.Nature, "complaint"}}) {
		t.Fatalf("feedback: %v", rows)
	}
	d := auditDetail(t, env, "case.register", res.Case.Number)
	if d["suggested_category"] != sg.Label || d["chosen_category"] != "教育文体" || d["category_followed"] != (sg.Label == "教育文体") ||
		d["suggested_nature"] != sg.Nature || d["chosen_nature"] != "complaint" || d["nature_followed"] != (sg.Nature == "complaint") ||
		d["model"] != sg.Model {
		t.Errorf("register audit: %v", d)
	}

	// Reclassifying the nature alone is a correction too: the category
	// stays, confirmed.
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), res.Case.Number, casework.Reclassify,
		casework.ActionInput{Nature: "report"}); err != nil {
		t.Fatal(err)
	}
	if rows := feedbackRows(t, env, res.Case.ID); len(rows) != 2 || rows[1] != [4]string{sg.Label, "教育文体", sg.Nature, "report"} {
		t.Fatalf("feedback after reclassifying: %v", rows)
	}
	if d := auditDetail(t, env, "case.reclassify", res.Case.Number); d["chosen_nature"] != "report" || d["nature_followed"] != (sg.Nature == "report") {
		t.Errorf("reclassify audit: %v", d)
	}

	// A report classified at intake, deep in the taxonomy, still gets the
	// suggestion, and the choice is kept with its full path.
	gasLabel := "城乡建设/城市建设和市政管理/燃气供应"
	gas := categoryByLabel(t, env, gasLabel)
	res2, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
		Body: "小区天然气管道漏气，燃气公司一直不来维修", CategoryID: gas, Nature: "help"})
	if err != nil {
		t.Fatal(err)
	}
	sg2 := res2.Case.Suggestion
	if sg2 == nil || sg2.Label == "" {
		t.Fatalf("no suggestion with a category: %+v", sg2)
	}
	if rows := feedbackRows(t, env, res2.Case.ID); !slices.Equal(rows, [][4]string{{sg2.Label, gasLabel, sg2.Nature, "help"}}) {
		t.Fatalf("intake feedback: %v", rows)
	}
	d = auditDetail(t, env, "case.receive", res2.Case.Number)
	if d["chosen_category"] != gasLabel || d["suggested_category"] != sg2.Label || d["chosen_nature"] != "help" ||
		d["category_followed"] != classify.Agrees(gasLabel, sg2.Label) || d["channel"] != "hotline" {
		t.Errorf("receive audit: %v", d)
	}
	// A nature chosen alone at intake is kept too.
	res3, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
		Body: "请问办理居住证需要什么材料", Nature: "consult"})
	if err != nil {
		t.Fatal(err)
	}
	if rows := feedbackRows(t, env, res3.Case.ID); len(rows) != 1 || rows[0][1] != "" || rows[0][3] != "consult" {
		t.Fatalf("nature-only feedback: %v", rows)
	}

	// The labels to train on: each case's latest choice.
	got, err := env.App.Cases.Labels(ctx, access.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	want := []classify.Example{
		{Subject: res.Case.Title, Body: "学校旁边的网吧天天有小学生进出，老板也不管，希望教育和文化部门检查。", Category: "教育文体", Nature: "report"},
		{Subject: res2.Case.Title, Body: "小区天然气管道漏气，燃气公司一直不来维修", Category: gasLabel, Nature: "help"},
		{Subject: res3.Case.Title, Body: "请问办理居住证需要什么材料", Nature: "consult"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("labels:\n%+v\nwant\n%+v", got, want)
	}
	if _, err := env.App.Cases.Labels(ctx, env.Actor(t, "dispatcher")); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("labels for a dispatcher: %v", err)
	}
}

// The API's intake keeps the operator's classification as a label, as the
// desk does.
func TestFeedbackThroughAPI(t *testing.T) {
	env := apptest.New(t)
	label := "城乡建设/城市建设和市政管理/燃气供应"
	gas := categoryByLabel(t, env, label)
	r := env.Do(t, "POST", "/api/v1/reports", "intake", map[string]any{"channel": "hotline", "title": "燃气费收费过高",
		"body": "小区燃气费比周边小区高出一倍，燃气公司不给解释。", "category_id": gas, "nature": "complaint"})
	if r.Status != 201 {
		t.Fatalf("POST /reports: %d %s", r.Status, r.Body)
	}
	var out struct {
		Case struct {
			Number string `json:"number"`
		} `json:"case"`
	}
	r.JSON(t, &out)
	c, err := env.App.Cases.Get(context.Background(), access.System("test"), out.Case.Number)
	if err != nil {
		t.Fatal(err)
	}
	rows := feedbackRows(t, env, c.Case.ID)
	if len(rows) != 1 || rows[0][1] != label || rows[0][3] != "complaint" || rows[0][0] == "" {
		t.Fatalf("feedback: %v", rows)
	}
	if d := auditDetail(t, env, "case.receive", out.Case.Number); d["chosen_category"] != label || d["suggested_category"] != rows[0][0] {
		t.Errorf("audit: %v", d)
	}
}

// A report classified as it is taken in for an open case (a case merged at
// once into that one) keeps its own text as its label's, although its
// report now sits with the case it joined; that case keeps its own.
func TestLabelsOfMergedReports(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	intake := env.Actor(t, "intake")
	first, err := env.App.Cases.Intake(ctx, intake, casework.ReportInput{Channel: "hotline",
		Body: "莲前西路100号工地夜间施工噪音扰民", Nature: "complaint"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := env.App.Cases.Intake(ctx, intake, casework.ReportInput{Channel: "hotline",
		Body: "工地晚上十二点还在打桩，孩子没法睡觉", Nature: "report", CaseNumber: first.Case.Number})
	if err != nil || again.MergedFrom == "" {
		t.Fatalf("merged at once: %+v %v", again, err)
	}
	got, err := env.App.Cases.Labels(ctx, access.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	want := []classify.Example{
		{Subject: first.Case.Title, Body: "莲前西路100号工地夜间施工噪音扰民", Nature: "complaint"},
		{Subject: "工地晚上十二点还在打桩，孩子没法睡觉", Body: "工地晚上十二点还在打桩，孩子没法睡觉", Nature: "report"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("labels:\n%+v\nwant\n%+v", got, want)
	}
}
