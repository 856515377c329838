package hot_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casework"
	"pingan/internal/hot"
)

// The city's hot issues: many people about one place and matter rank
// first, recent reports weigh more than old ones, each issue leads to its
// cases, and a street office sees only what is in its scope.
func TestCityHotIssues(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t)
	take := func(title, body, name, phone, div string) string {
		t.Helper()
		res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
			Title: title, Body: body, ReporterName: name, ReporterPhone: phone, DivisionCode: div})
		if err != nil {
			t.Fatal(err)
		}
		return res.Case.Number
	}
	// Twenty-five days ago: three people about 金山小区 parking.
	var old []string
	for i, who := range []string{"赵", "钱", "孙"} {
		old = append(old, take("金山小区停车难", "金山小区停车位严重不足，车辆乱停占用消防通道。", who+"先生", "1390600100"+string(rune('0'+i)), "350206004"))
	}
	env.Clock.Advance(25 * 24 * time.Hour)
	// Today: three people (one of them twice) about 丽发新城 noise at night.
	var fresh []string
	for i, who := range []string{"李", "周", "吴", "李"} {
		phone := "1380600200" + string(rune('0'+i%3))
		fresh = append(fresh, take("丽发新城工地夜间施工噪音扰民", "丽发新城旁边工地每晚十一点后还在施工，噪音很大影响休息。", who+"女士", phone, "350206004"))
	}
	// A matter raised once, and one in another district.
	take("江头公园路灯不亮", "江头公园里的路灯坏了好几盏。", "郑先生", "13806003000", "350206004")
	take("鼓浪屿龙头路商铺占道经营", "龙头路商铺把货架摆到路上。", "王先生", "13806004000", "350203010")
	take("鼓浪屿龙头路商铺占道经营", "龙头路商铺占道经营，游客难以通行。", "冯先生", "13806004001", "350203010")

	now := env.Clock.Now()
	sup := env.Actor(t, "supervisor")
	res, err := hot.City(ctx, env.App.Cases, sup, hot.CityQuery{Days: 30}, now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Reports != 10 || res.Truncated {
		t.Fatalf("read %d reports (truncated %v), want 10", res.Reports, res.Truncated)
	}
	if len(res.Issues) != 3 {
		for _, is := range res.Issues {
			t.Logf("%d %.1f %s %v", is.Rank, is.Heat, is.Description, is.Cases)
		}
		t.Fatalf("%d issues, want 3 (a single report is not one)", len(res.Issues))
	}
	first := res.Issues[0]
	if first.Description != "丽发新城工地夜间施工噪音扰民" || first.Users != 3 || len(first.Messages) != 4 {
		t.Fatalf("hottest: %q, %d people, %d reports", first.Description, first.Users, len(first.Messages))
	}
	if first.Place != "丽发新城" {
		t.Errorf("hottest place %q, want the estate named", first.Place)
	}
	for _, is := range res.Issues {
		if is.Description == "鼓浪屿龙头路商铺占道经营" && is.Place == "" {
			t.Errorf("an issue without a named place has no area: %+v", is.Issue)
		}
	}
	if want := slices.Clone(fresh); !sameSet(first.Cases, want) || first.Cases[0] != fresh[len(fresh)-1] {
		t.Errorf("its cases %v, want %v newest first", first.Cases, want)
	}
	// Heat from the raw reports: 3 people and 4 reports of today weigh 1
	// each; 3 people and 3 reports of 25 days ago weigh 2^(-25/7.5).
	if want := 10*3 + 2*4.0; math.Abs(first.Heat-want) > 0.01 {
		t.Errorf("heat %.3f, want %.3f", first.Heat, want)
	}
	var parking *hot.CityIssue
	for i := range res.Issues {
		if res.Issues[i].Description == "金山小区停车难" {
			parking = &res.Issues[i]
		}
	}
	if parking == nil || !sameSet(parking.Cases, old) {
		t.Fatalf("the old issue: %+v", parking)
	}
	w := math.Exp2(-25.0 / 7.5)
	if want := 10*3*w + 2*3*w; math.Abs(parking.Heat-want) > 0.01 || parking.Rank != 3 {
		t.Errorf("old issue: heat %.3f rank %d, want %.3f rank 3 (below the two fresh ones)", parking.Heat, parking.Rank, want)
	}
	// A seven-day window leaves the old issue out.
	res7, err := hot.City(ctx, env.App.Cases, sup, hot.CityQuery{Days: 7}, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range res7.Issues {
		if is.Description == "金山小区停车难" {
			t.Error("a 25-day-old issue in a 7-day window")
		}
	}
	// One district only.
	resDiv, err := hot.City(ctx, env.App.Cases, sup, hot.CityQuery{Days: 30, DivisionCode: "350203"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(resDiv.Issues) != 1 || resDiv.Issues[0].Description != "鼓浪屿龙头路商铺占道经营" {
		t.Errorf("思明区 only: %+v", resDiv.Issues)
	}
	// Scope: the cases were taken in by the 12345 centre and never went to
	// 鼓浪屿街道, so its handler sees none of them.
	resGL, err := hot.City(ctx, env.App.Cases, env.Actor(t, "gulangyu"), hot.CityQuery{Days: 30}, now)
	if err != nil {
		t.Fatal(err)
	}
	if resGL.Reports != 0 || len(resGL.Issues) != 0 {
		t.Errorf("鼓浪屿街道 sees %d reports, %d issues", resGL.Reports, len(resGL.Issues))
	}
	if _, err := hot.City(ctx, env.App.Cases, access.Actor{UserID: 99, Username: "nobody"}, hot.CityQuery{}, now); err == nil {
		t.Error("an account without case work read the reports")
	}
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// The service keeps an answer for Refresh: a report taken in meanwhile
// shows after it — the first request after it still gets the old answer at
// once, while the next is computed behind it. The answer computed ahead at
// start serves everyone who sees the whole city; another scope gets its own.
func TestCityServiceRefresh(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t)
	take := func(i int) {
		t.Helper()
		if _, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
			Title: "丽发新城工地夜间施工噪音扰民", Body: "丽发新城旁工地每晚施工。", ReporterPhone: "1380600500" + string(rune('0'+i)),
			DivisionCode: "350206004"}); err != nil {
			t.Fatal(err)
		}
	}
	take(0)
	take(1)
	if err := env.App.Hot.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	take(2)
	sup := env.Actor(t, "supervisor")
	first, err := env.App.Hot.City(ctx, sup, hot.CityQuery{Days: 30})
	if err != nil || first.Reports != 2 {
		t.Fatalf("the answer computed ahead: %d reports (%v), want 2", first.Reports, err)
	}
	env.Clock.Advance(hot.Refresh - time.Second)
	if again, _ := env.App.Hot.City(ctx, sup, hot.CityQuery{}); again.Reports != 2 || !again.To.Equal(first.To) {
		t.Errorf("within the refresh: %d reports computed at %v", again.Reports, again.To)
	}
	if other, _ := env.App.Hot.City(ctx, env.Actor(t, "huli"), hot.CityQuery{}); other.Reports != 0 {
		t.Errorf("the district's supervisor (whose district the cases never reached) got %d reports", other.Reports)
	}
	env.Clock.Advance(time.Second)
	if stale, _ := env.App.Hot.City(ctx, sup, hot.CityQuery{}); stale.Reports != 2 || !stale.To.Equal(first.To) {
		t.Errorf("just after the refresh: %d reports computed at %v, want the old answer at once", stale.Reports, stale.To)
	}
	fresh := false
	for range 500 { // the next answer, computed behind the first request
		if later, _ := env.App.Hot.City(ctx, sup, hot.CityQuery{}); later.Reports == 3 {
			fresh = true
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !fresh {
		t.Error("the answer was never refreshed")
	}
	take(3)
	env.Clock.Advance(hot.Keep)
	if old, _ := env.App.Hot.City(ctx, sup, hot.CityQuery{}); old.Reports != 4 {
		t.Errorf("an answer older than Keep was served: %d reports, want 4", old.Reports)
	}
	if _, err := env.App.Hot.City(ctx, sup, hot.CityQuery{Days: 5}); err == nil {
		t.Error("a 5-day window was accepted")
	}
}

// The same complaint in two districts is two hot issues, each named by its
// district and leading to its own cases, not one spread over the city.
func TestCityIssuesStayInTheirDistrict(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t)
	byDistrict := map[string][]string{}
	for i, div := range []string{"350206004", "350206004", "350206004", "350203010", "350203010", "350203010"} {
		res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
			Title: "小区电梯经常故障困人", Body: "小区电梯这个月坏了好几次，老人被困在里面。", ReporterName: "居民",
			ReporterPhone: "1380600900" + string(rune('0'+i)), DivisionCode: div})
		if err != nil {
			t.Fatal(err)
		}
		byDistrict[div[:6]] = append(byDistrict[div[:6]], res.Case.Number)
	}
	res, err := hot.City(ctx, env.App.Cases, env.Actor(t, "supervisor"), hot.CityQuery{Days: 30}, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Issues) != 2 {
		t.Fatalf("%d issues, want one in each district: %+v", len(res.Issues), res.Issues)
	}
	places := map[string]bool{}
	for _, is := range res.Issues {
		places[is.Place] = true
		if !sameSet(is.Cases, byDistrict["350206"]) && !sameSet(is.Cases, byDistrict["350203"]) {
			t.Errorf("an issue mixes the districts' cases: %v", is.Cases)
		}
	}
	if !places["江头街道"] || !places["莲前街道"] {
		t.Errorf("issues named %v, want each by its own area", places)
	}
}

// An issue whose cases name two communities is labelled with the one most
// of them name and 等, and one whose cases all name one with that one: the
// same complaint from 龙山社区 twice and 内厝澳社区 once is not 内厝澳社区's,
// nor 龙山社区's alone.
func TestCityIssuePlaceIsTheCasesPlace(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t)
	byPlace := map[string][]string{}
	for i, c := range []struct{ place, div string }{
		{"龙山社区", "350203011"}, {"内厝澳社区", "350203012"}, {"龙山社区", "350203011"},
		{"菽庄花园", "350203012"}, {"菽庄花园", "350203012"},
	} {
		title, body := c.place+"群租房存在安全隐患", c.place+"3号楼有一套房子被二房东隔成了十几个小单间，电线乱拉，一旦着火后果不堪设想。"
		if c.place == "菽庄花园" {
			title, body = c.place+"门口商铺占道经营", c.place+"门口的商铺把货架摆到路上，游客难以通行。"
		}
		res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
			Title: title, Body: body, ReporterName: "居民", ReporterPhone: "1380601000" + string(rune('0'+i)), DivisionCode: c.div})
		if err != nil {
			t.Fatal(err)
		}
		byPlace[c.place] = append(byPlace[c.place], res.Case.Number)
	}
	res, err := hot.City(ctx, env.App.Cases, env.Actor(t, "supervisor"), hot.CityQuery{Days: 30}, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	places := map[string][]string{}
	for _, is := range res.Issues {
		places[is.Place] = is.Cases
	}
	if got := places["龙山社区等"]; !sameSet(got, append(slices.Clone(byPlace["龙山社区"]), byPlace["内厝澳社区"]...)) {
		t.Errorf("the issue of 龙山社区 and 内厝澳社区: %v", places)
	}
	if got := places["菽庄花园"]; !sameSet(got, byPlace["菽庄花园"]) {
		t.Errorf("the issue of 菽庄花园: %v", places)
	}
}

// Reports of two fields of the catalogue are two issues however alike
// their words: an old person living alone asking for home care (民政) and
// one not answering the door (求助警情), in one community.
func TestCityIssueKeepsToOneField(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t)
	byField := map[string][]string{}
	for i, c := range []struct{ code, title, body string }{
		{"C0901002", "龙山社区独居老人申请居家养老服务", "龙山社区一位独居老人行动不便，申请居家养老上门服务。"},
		{"P0503", "龙山社区独居老人敲门无回应", "龙山社区一位独居老人几天没出门，敲门无回应，请求开锁查看。"},
		{"C0901002", "龙山社区独居老人申请居家养老服务", "龙山社区独居老人申请助餐和居家养老服务。"},
		{"P0503", "龙山社区独居老人敲门无回应", "邻居反映龙山社区独居老人敲门无回应，担心出事。"},
	} {
		cat, err := env.App.Catalog.CategoryByCode(ctx, env.App.DB, c.code)
		if err != nil {
			t.Fatal(err)
		}
		res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline", CategoryID: cat.ID,
			Title: c.title, Body: c.body, ReporterName: "居民", ReporterPhone: "1380602000" + string(rune('0'+i)), DivisionCode: "350203011",
			KeepSeparate: true})
		if err != nil {
			t.Fatal(err)
		}
		byField[c.code] = append(byField[c.code], res.Case.Number)
	}
	res, err := hot.City(ctx, env.App.Cases, env.Actor(t, "supervisor"), hot.CityQuery{Days: 30}, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Issues) != 2 {
		t.Fatalf("%d issues, want 2: %+v", len(res.Issues), res.Issues)
	}
	for _, is := range res.Issues {
		if !sameSet(is.Cases, byField["C0901002"]) && !sameSet(is.Cases, byField["P0503"]) {
			t.Errorf("an issue mixes the fields: %s %v", is.Description, is.Cases)
		}
	}
}
