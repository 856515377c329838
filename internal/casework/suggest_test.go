package casework_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/casework"
)

// A report taken in without a category gets the classifier's suggestion;
// the category the operator then chooses is kept as a label to learn from,
// and the audit record says whether the suggestion was followed.
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
	// The operator registers it under 教育文体.
	var chosen int64
	cats, err := env.App.Catalog.Categories(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cats {
		if c.Name == "教育文体" && c.ParentID == 0 {
			chosen = c.ID
		}
	}
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), res.Case.Number, casework.Register,
		casework.ActionInput{CategoryID: chosen, Nature: "complaint"}); err != nil {
		t.Fatal(err)
	}
	var got, suggested string
	if err := env.App.DB.QueryRowContext(ctx, "SELECT chosen, suggested FROM classify_feedback WHERE case_id = $1", res.Case.ID).
		Scan(&got, &suggested); err != nil || got != "教育文体" || suggested != sg.Label {
		t.Fatalf("feedback: %q %q %v", got, suggested, err)
	}
	recs, _ := env.App.Audit.List(ctx, env.App.DB, audit.Filter{Action: "case.register", ObjectID: res.Case.Number, Limit: 5})
	if len(recs) != 1 || !strings.Contains(recs[0].Detail, `"followed_classifier":`) {
		t.Fatalf("audit: %+v", recs)
	}
	var chosenNature string
	if err := env.App.DB.QueryRowContext(ctx, "SELECT chosen_nature FROM classify_feedback WHERE case_id = $1", res.Case.ID).
		Scan(&chosenNature); err != nil || chosenNature != "complaint" {
		t.Fatalf("the chosen nature: %q %v", chosenNature, err)
	}
	// The model suggests a nature too (learnt from the messages' own words).
	if sg.Nature == "" || sg.NatureConfidence <= 0 {
		t.Errorf("no nature suggested: %+v", sg)
	}
	// A report with its category and nature needs no suggestion.
	res2, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline", Body: "路灯不亮",
		CategoryID: chosen, Nature: "complaint"})
	if err != nil || res2.Case.Suggestion != nil {
		t.Fatalf("with a category: %+v %v", res2.Case.Suggestion, err)
	}
}
