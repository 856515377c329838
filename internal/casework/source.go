package casework

import (
	"context"
	"fmt"
	"strings"

	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// ReportBySource returns the report a channel's source id names (an
// imported row's id, an Open311 token) and the number of the case it
// opened — its own, even after a merge moved it into another.
func (s *Service) ReportBySource(ctx context.Context, ch Channel, ref string) (Report, string, error) {
	r, err := scanReport(s.db.QueryRowContext(ctx, "SELECT "+reportColumns+" FROM reports WHERE channel = $1 AND source_ref = $2", ch, ref))
	if db.IsNotFound(err) {
		return Report{}, "", fault.NotFoundf(i18n.M("来件", "report"), string(ch)+" "+ref)
	}
	if err != nil {
		return Report{}, "", fmt.Errorf("report by source id: %w", err)
	}
	var number string
	if err := s.db.QueryRowContext(ctx, `SELECT number FROM cases WHERE id =
		(SELECT COALESCE(merged_from, case_id) FROM reports WHERE id = $1)`, r.ID).Scan(&number); err != nil {
		return Report{}, "", fmt.Errorf("report %d: its case: %w", r.ID, err)
	}
	return r, number, nil
}

// OpeningReports returns the report each case was opened with: its first
// report, which stays the case's even after a merge moved it away.
func (s *Service) OpeningReports(ctx context.Context, caseIDs []int64) (map[int64]Report, error) {
	out := make(map[int64]Report, len(caseIDs))
	for len(caseIDs) > 0 {
		batch := caseIDs[:min(len(caseIDs), 200)]
		caseIDs = caseIDs[len(batch):]
		marks, args := make([]string, len(batch)), make([]any, len(batch))
		for i, id := range batch {
			marks[i], args[i] = fmt.Sprintf("$%d", i+1), id
		}
		in := strings.Join(marks, ", ")
		// A case's reports are those it holds or that left it in a merge:
		// the first condition reads them from the two indexes, the second
		// keeps those it opened (no COALESCE is indexed).
		rows, err := s.db.QueryContext(ctx, "SELECT "+reportColumns+", COALESCE(merged_from, case_id) FROM reports WHERE id IN "+
			"(SELECT MIN(id) FROM reports WHERE (merged_from IN ("+in+") OR case_id IN ("+in+")) AND COALESCE(merged_from, case_id) IN ("+in+
			") GROUP BY COALESCE(merged_from, case_id))", args...)
		if err != nil {
			return nil, fmt.Errorf("opening reports: %w", err)
		}
		for rows.Next() {
			var opened int64
			r, err := scanReport(scanPlus{rows, &opened})
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("opening reports: %w", err)
			}
			out[opened] = r
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("opening reports: %w", err)
		}
	}
	return out, nil
}

// scanPlus scans a report row followed by one more column.
type scanPlus struct {
	s     interface{ Scan(...any) error }
	extra any
}

func (p scanPlus) Scan(dest ...any) error { return p.s.Scan(append(dest, p.extra)...) }
