// Package dashboard computes the city dashboard's figures: case volumes by
// day, channel, nature, category and district; reports and lawsuits per
// 10,000 residents by district; the overdue and backlog figures. Volumes
// are kept as daily counters, moved in the transaction of each change
// (a case received, or reclassified), so a month reads in milliseconds at
// millions of cases; Recompute derives them from the cases to check. The
// overdue figures read the scorecards' backlog counters (score.ReadBacklog).
package dashboard

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"pingan/internal/db"
	"pingan/internal/score"
)

// Dimensions a volume is counted by.
const (
	DimTotal    = "total"
	DimChannel  = "channel"
	DimNature   = "nature"
	DimCategory = "category" // the case's category id
	DimDistrict = "district" // the first six digits of the division code
	// DimDistrictNature counts natures by district ("350206/dispute_litigation"):
	// lawsuits per 10,000 residents need both.
	DimDistrictNature = "district_nature"
)

// Snapshot is what the volumes need of a case.
type Snapshot struct {
	ReceivedAt time.Time
	Channel    string
	Nature     string
	CategoryID int64
	Division   string
}

func (s Snapshot) keys() [][2]string {
	district := s.Division
	if len(district) > 6 {
		district = district[:6]
	}
	cat := ""
	if s.CategoryID != 0 {
		cat = strconv.FormatInt(s.CategoryID, 10)
	}
	return [][2]string{{DimTotal, ""}, {DimChannel, s.Channel}, {DimNature, s.Nature}, {DimCategory, cat},
		{DimDistrict, district}, {DimDistrictNature, district + "/" + s.Nature}}
}

// Service keeps and reads the dashboard's figures.
type Service struct {
	db  *db.DB
	loc *time.Location
	now func() time.Time
}

// NewService returns the dashboard service.
func NewService(d *db.DB, loc *time.Location, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, loc: loc, now: now}
}

// Track moves the volume counters for a change of a case: a new case
// (before is zero) counts once on its received day; a change of channel,
// nature, category or division moves it from the old key to the new.
func (s *Service) Track(ctx context.Context, tx *db.Tx, before, after Snapshot) error {
	day := score.DayOf(after.ReceivedAt, s.loc)
	add := func(k [2]string, n int64) {
		for _, bucket := range []score.Day{day, day.Month()} {
			tx.Add(volumeCounter, n, int(bucket), k[0], k[1])
		}
	}
	if before.ReceivedAt.IsZero() {
		for _, k := range after.keys() {
			add(k, 1)
		}
		return nil
	}
	bk, ak := before.keys(), after.keys()
	for i := range bk {
		if bk[i] != ak[i] {
			add(bk[i], -1)
			add(ak[i], 1)
		}
	}
	return nil
}

// volumeCounter is the table of the volume counts.
var volumeCounter = db.NewCounter("volume_counts", "day", "dim", "key")

// Key addresses one volume counter.
type Key struct {
	Day      score.Day
	Dim, Key string
}

// Stored returns every non-zero volume counter.
func (s *Service) Stored(ctx context.Context) (map[Key]int64, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT day, dim, key, n FROM volume_counts WHERE n <> 0")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[Key]int64{}
	for rows.Next() {
		var k Key
		var day int
		var n int64
		if err := rows.Scan(&day, &k.Dim, &k.Key, &n); err != nil {
			return nil, err
		}
		k.Day = score.Day(day)
		out[k] = n
	}
	return out, rows.Err()
}

// Recompute counts the volumes from the cases themselves.
func (s *Service) Recompute(ctx context.Context) (map[Key]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT received_at, channel, COALESCE(nature, ''), COALESCE(category_id, 0),
		COALESCE(division_code, '') FROM cases`)
	if err != nil {
		return nil, fmt.Errorf("recompute volumes: %w", err)
	}
	defer rows.Close()
	out := map[Key]int64{}
	for rows.Next() {
		var at int64
		var sn Snapshot
		if err := rows.Scan(&at, &sn.Channel, &sn.Nature, &sn.CategoryID, &sn.Division); err != nil {
			return nil, err
		}
		sn.ReceivedAt = time.UnixMicro(at)
		day := score.DayOf(sn.ReceivedAt, s.loc)
		for _, k := range sn.keys() {
			out[Key{Day: day, Dim: k[0], Key: k[1]}]++
			out[Key{Day: day.Month(), Dim: k[0], Key: k[1]}]++
		}
	}
	return out, rows.Err()
}

// Rebuild replaces the volume counters with those the cases imply: after
// a bulk load that wrote cases directly.
func (s *Service) Rebuild(ctx context.Context) error {
	counts, err := s.Recompute(ctx)
	if err != nil {
		return err
	}
	keys := make([]Key, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b Key) int { return int(a.Day - b.Day) })
	rows := make([][]any, len(keys))
	for i, k := range keys {
		rows[i] = []any{int(k.Day), k.Dim, k.Key, counts[k]}
	}
	// One write: readers see the old counters or the new, never none.
	if err := s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM volume_counts"); err != nil {
			return err
		}
		return tx.InsertRows(ctx, "volume_counts", []string{"day", "dim", "key", "n"}, rows)
	}); err != nil {
		return fmt.Errorf("rebuild volumes: %w", err)
	}
	return nil
}
