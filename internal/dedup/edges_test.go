package dedup_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"pingan/internal/apptest"
	"pingan/internal/dedup"
	"pingan/internal/i18n"
)

// The radius and the window at their edges: a case 490 m away is near
// (the distance counts in its score and reasons), one 510 m away is not;
// a case received just inside the window is a candidate, one received
// just before it is not.
func TestRadiusAndWindowEdges(t *testing.T) {
	env := apptest.New(t)
	s := env.App.Repeats
	const lat, lon = 24.5120, 118.1460
	perMetre := 1 / 111_194.93 // degrees of latitude a metre (haversine, R = 6,371 km)
	old := take(t, env, "江头北路128号工地夜间施工噪音扰民", "", lat+300*perMetre, lon)
	env.Clock.Advance(2 * time.Hour)
	in := take(t, env, "江头北路128号工地夜间施工噪音扰民", "", lat+490*perMetre, lon)
	out := take(t, env, "江头北路128号工地夜间施工噪音扰民", "", lat+510*perMetre, lon)
	actor := env.Actor(t, "intake")
	find := func(at time.Time) map[string]dedup.Candidate {
		t.Helper()
		got, err := s.Find(ctx, actor, dedup.Query{Text: "江头北路128号工地晚上施工噪音很大", Lat: pt(lat), Lon: pt(lon), At: at}, i18n.ZH)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]dedup.Candidate{}
		for _, c := range got {
			m[c.Number] = c
		}
		return m
	}
	now := env.Clock.Now()
	got := find(now)
	near := func(c dedup.Candidate) bool {
		return slices.ContainsFunc(c.Reasons, func(r string) bool { return strings.HasPrefix(r, "相距") })
	}
	ci, co := got[in], got[out]
	if ci.Meters == nil || *ci.Meters < 489 || *ci.Meters > 491 || !near(ci) {
		t.Fatalf("490 m: %+v", ci)
	}
	if co.Number != "" && (near(co) || co.Score >= ci.Score) {
		t.Errorf("510 m counts as near: %+v (490 m: %+v)", co, ci)
	}
	// The window: 30 days back from the report's time. The old case was
	// received two hours before the others.
	received := now.Add(-2 * time.Hour)
	if _, ok := find(received.Add(dedup.DefaultWindow - time.Minute))[old]; !ok {
		t.Error("a case received a minute inside the window is no candidate")
	}
	if _, ok := find(received.Add(dedup.DefaultWindow + time.Minute))[old]; ok {
		t.Error("a case received a minute before the window is a candidate")
	}
}
