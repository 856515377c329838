package dashboard_test

import (
	"context"
	"maps"
	"math"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casework"
	"pingan/internal/dashboard"
	"pingan/internal/db"
	"pingan/internal/demo"
	"pingan/internal/score"
)

var ctx = context.Background()

// The counters kept at intake and reclassification equal a count over the
// cases; every figure of the dashboard equals the same figure computed from
// the cases directly (overdue: the cases marked so, which after the due
// overdue timers fire are those past their deadline).
func TestFiguresMatchCases(t *testing.T) {
	env := apptest.New(t)
	if err := demo.LoadCases(ctx, env.App, 500, 40, 9, nil); err != nil {
		t.Fatal(err)
	}
	// Live changes on top of the loaded cases: new reports (one a lawsuit
	// in 湖里区), and a reclassification.
	intake := env.Actor(t, "intake")
	for i, in := range []casework.ReportInput{
		{Channel: "hotline", Body: "邻里漏水纠纷已起诉至法院", Nature: dashboard.LitigationNature, Address: "湖里区江头北路", DivisionCode: "350206004"},
		{Channel: "web", Body: "莲前西路路灯不亮", Nature: "complaint", DivisionCode: "350203"},
		{Channel: "wechat", Body: "集美大道噪音扰民"},
	} {
		env.Clock.Advance(time.Duration(i+1) * time.Hour)
		if _, err := env.App.Cases.Intake(ctx, intake, in); err != nil {
			t.Fatal(err)
		}
	}
	page, err := env.App.Cases.List(ctx, access.System("test"), casework.Filter{States: []casework.State{casework.Received}, Limit: 1})
	if err != nil || len(page.Cases) == 0 {
		t.Fatalf("no received case: %v", err)
	}
	cat, err := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0101001")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), page.Cases[0].Number, casework.Register,
		casework.ActionInput{Nature: "report", CategoryID: cat.ID}); err != nil {
		t.Fatal(err)
	}

	stored, err := env.App.Dashboard.Stored(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := env.App.Dashboard.Recompute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(stored, want) {
		for k, v := range want {
			if stored[k] != v {
				t.Errorf("%+v: stored %d, cases %d", k, stored[k], v)
			}
		}
		for k, v := range stored {
			if _, ok := want[k]; !ok {
				t.Errorf("%+v: stored %d, cases none", k, v)
			}
		}
		t.FailNow()
	}

	loc := env.App.Score.Location()
	p := score.Period{From: score.DayOf(env.Clock.Now().AddDate(0, 0, -30), loc), To: score.DayOf(env.Clock.Now(), loc)}
	f, err := env.App.Dashboard.Figures(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	// The same figures straight from the cases.
	rows, err := env.App.DB.QueryContext(ctx, `SELECT received_at, channel, COALESCE(nature, ''), COALESCE(division_code, ''),
		deadline_at, overdue_at FROM cases`)
	if err != nil {
		t.Fatal(err)
	}
	var total, lawsuitsHuli int64
	days := map[score.Day]int64{}
	channels := map[string]int64{}
	districts := map[string]int64{}
	// Overdue: the cases past their running deadline (deadline.Passed, the
	// definition of red), by district and by the day their deadline passed.
	var overdue int64
	overdueIn := map[string]int64{}
	overdueOn := map[score.Day]int64{}
	for rows.Next() {
		var at int64
		var ch, nature, div string
		var deadline, marked *int64
		if err := rows.Scan(&at, &ch, &nature, &div, &deadline, &marked); err != nil {
			t.Fatal(err)
		}
		if deadline != nil && *deadline < env.Clock.Now().Truncate(time.Second).UnixMicro() {
			overdue++
			if len(div) >= 6 {
				overdueIn[div[:6]]++
			}
			overdueOn[score.DayOf(time.UnixMicro(*deadline), loc)]++
		}
		d := score.DayOf(time.UnixMicro(at), loc)
		if d < p.From || d > p.To {
			continue
		}
		total++
		days[d]++
		channels[ch]++
		if len(div) >= 6 {
			districts[div[:6]]++
			if div[:6] == "350206" && nature == dashboard.LitigationNature {
				lawsuitsHuli++
			}
		}
	}
	rows.Close()
	if f.Total != total || total < 100 {
		t.Fatalf("total %d, cases %d", f.Total, total)
	}
	today := score.DayOf(env.Clock.Now(), loc)
	for _, d := range f.Days {
		if d.N != days[d.Day] {
			t.Errorf("%s: %d, cases %d", d.Day, d.N, days[d.Day])
		}
		if d.SoFar != (d.Day == today) {
			t.Errorf("%s (today %s): so far = %t", d.Day, today, d.SoFar)
		}
	}
	if len(f.Days) != 31 {
		t.Errorf("%d days in a 31-day period", len(f.Days))
	}
	if !maps.Equal(f.Channels, channels) {
		t.Errorf("channels %v, cases %v", f.Channels, channels)
	}
	if f.Overdue != overdue || overdue < 10 {
		t.Errorf("overdue %d, cases %d", f.Overdue, overdue)
	}
	if len(f.Backlog) != len(overdueOn) {
		t.Errorf("backlog on %d days, cases on %d", len(f.Backlog), len(overdueOn))
	}
	for _, d := range f.Backlog {
		if d.N != overdueOn[d.Day] {
			t.Errorf("backlog of %s: %d, cases %d", d.Day, d.N, overdueOn[d.Day])
		}
	}
	for _, d := range f.Districts {
		if d.Cases != districts[d.Code] {
			t.Errorf("district %s: %d, cases %d", d.Code, d.Cases, districts[d.Code])
		}
		if want := float64(d.Cases) * 10000 / float64(dashboard.Population[d.Code]); math.Abs(d.PerTenK-want) > 1e-9 {
			t.Errorf("district %s: %.4f per 10,000, want %.4f", d.Code, d.PerTenK, want)
		}
		if d.Overdue != overdueIn[d.Code] {
			t.Errorf("district %s: %d overdue, cases %d", d.Code, d.Overdue, overdueIn[d.Code])
		}
		if d.Code == "350206" && (d.Lawsuits != lawsuitsHuli || lawsuitsHuli < 1) {
			t.Errorf("湖里区 lawsuits %d, cases %d", d.Lawsuits, lawsuitsHuli)
		}
	}
	if len(f.Districts) != 6 {
		t.Errorf("%d districts", len(f.Districts))
	}

	// A day later the cases whose deadline passed count before their
	// timers fire; once they have fired, the marked cases are exactly those
	// past their running deadline, and the count stands.
	env.Clock.Advance(24 * time.Hour)
	counts := func() (marked, passed, both int64) {
		if err := env.App.DB.QueryRowContext(ctx, `SELECT
			COALESCE(SUM(CASE WHEN overdue_at IS NOT NULL THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN deadline_at < $1 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN overdue_at IS NOT NULL AND deadline_at < $1 THEN 1 ELSE 0 END), 0) FROM cases`,
			env.Clock.Now().Truncate(time.Second).UnixMicro()).Scan(&marked, &passed, &both); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, fire := range []bool{false, true} {
		if fire {
			env.Fire(t)
		}
		marked, passed, both := counts()
		if fire && (marked != passed || both != passed) || passed <= overdue {
			t.Fatalf("fired %v: %d marked, %d past their deadline, %d both (%d overdue a day before)", fire, marked, passed, both, overdue)
		}
		f, err = env.App.Dashboard.Figures(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if f.Overdue != passed {
			t.Fatalf("fired %v: %d overdue, %d cases past their deadline", fire, f.Overdue, passed)
		}
	}
}

// The overdue cases cleared are a figure for every day of the period up
// to today, 0 on a day nothing was cleared, so the line drops to 0 rather
// than joining the days on either side; and a month's own counter row
// (YYYYMM00) is no day of it.
func TestClearedEveryDay(t *testing.T) {
	env := apptest.New(t)
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline", Body: "江头北路夜间施工噪音扰民"})
	if err != nil {
		t.Fatal(err)
	}
	loc := env.App.Score.Location()
	now := env.Clock.Now()
	unit := env.Unit(t, "350206004")
	// Cleared 27 days ago (the month before: the period spans two), twice
	// 10 days ago, once today.
	cleared := map[score.Day]int64{}
	var events []score.Event
	for _, ago := range []int{27, 10, 10, 0} {
		at := now.AddDate(0, 0, -ago)
		events = append(events, score.Event{UnitID: unit, CaseID: res.Case.ID, Metric: score.ReportedLate, At: at})
		cleared[score.DayOf(at, loc)]++
	}
	if err := env.App.DB.Write(ctx, func(tx *db.Tx) error { return env.App.Score.Record(ctx, tx, events) }); err != nil {
		t.Fatal(err)
	}
	p := score.Period{From: score.DayOf(now.AddDate(0, 0, -30), loc), To: score.DayOf(now.AddDate(0, 0, 5), loc)}
	if p.From.Month() == p.To.Month() {
		t.Fatalf("the period %v does not span two months", p)
	}
	f, err := env.App.Dashboard.Figures(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	today := score.DayOf(now, loc)
	if len(f.Cleared) != 31 || len(f.Cleared) != len(f.Days) {
		t.Fatalf("cleared on %d days, received on %d, of a period of 31 days to today: %v", len(f.Cleared), len(f.Days), f.Cleared)
	}
	for i, d := range f.Cleared {
		if d.Day != f.Days[i].Day || d.N != cleared[d.Day] || d.SoFar != (d.Day == today) {
			t.Errorf("cleared %d: %s %d (so far %t), want %s %d", i, d.Day, d.N, d.SoFar, f.Days[i].Day, cleared[d.Day])
		}
	}
}
