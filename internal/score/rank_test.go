package score

import (
	"fmt"
	"testing"

	"pingan/internal/org"
)

// Equal published scores share a rank and a list: the red list is not cut
// between two units of one score, and a tie across the middle is on
// neither list.
func TestRankTies(t *testing.T) {
	rows := func(scores ...float64) []Row {
		var out []Row
		for i, s := range scores {
			out = append(out, Row{Unit: org.Unit{Code: fmt.Sprintf("u%02d", i)}, Score: s, Ranked: true, Counts: Counts{Assigned: 10}})
		}
		return out
	}
	for _, tc := range []struct {
		scores []float64
		ranks  []int
		lists  string // r red, b black, . neither, in rank order
	}{
		{[]float64{99, 98, 97, 96, 90, 90, 90, 80, 70, 60, 50, 40, 30, 20}, []int{1, 2, 3, 4, 5, 5, 5, 8, 9, 10, 11, 12, 13, 14}, "rrrrrrr..bbbbb"},
		{[]float64{90, 80, 80, 70}, []int{1, 2, 2, 4}, "r..b"},
		{[]float64{80, 80, 80, 80}, []int{1, 1, 1, 1}, "...."},
		{[]float64{90.04, 89.96, 70, 60}, []int{1, 1, 3, 4}, "rrbb"}, // both published as 90.0
		{[]float64{50, 60, 30, 40}, []int{1, 2, 3, 4}, "rrbb"},
	} {
		rs := rows(tc.scores...)
		rank(rs)
		lists := ""
		for i, r := range rs {
			if r.Rank != tc.ranks[i] || r.OfRanked != len(rs) {
				t.Errorf("%v: %s ranked %d of %d at %d, want %d", tc.scores, r.Unit.Code, r.Rank, r.OfRanked, i, tc.ranks[i])
			}
			lists += map[string]string{"red": "r", "black": "b", "": "."}[r.List]
		}
		if lists != tc.lists {
			t.Errorf("%v: lists %s, want %s", tc.scores, lists, tc.lists)
		}
	}
}
