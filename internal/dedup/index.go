package dedup

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"pingan/internal/db"
	"pingan/internal/division"
	"pingan/internal/placename"
)

// The repeat index (table repeat_grams) lets Find read, for each bigram of
// a new report, the open cases of its district received in the window that
// say it, newest first, instead of reading and scoring every open case of
// the district. Each open case is filed under the bigrams of its matter
// (matter: its title's bigrams less its address's and the places it names), each keyed with the
// case's district. It is kept inside the write that changes a case (Track),
// by the generator's bulk load (BulkIndex) and rebuilt by Reindex.

// Doc is what the repeat index knows of a case.
type Doc struct {
	CaseID       int64
	Title        string
	Address      string
	DivisionCode string
	ReceivedAt   time.Time
	Open         bool // the case can still take a repeat
	// What a candidate is scored on beside: these are not filed in the
	// database's index (the score reads them from the case), but the
	// resident index holds them (resident.go).
	Number     string
	Lat, Lon   *float64
	CategoryID int64
}

// held is a case as a candidate is judged: a Doc with what the judging
// derives from it made once. The resident index keeps one per open case;
// it is never changed once made.
type held struct {
	id, category, at int64
	number, title    string
	div              string
	matter, place    grams // matter(title, address); the address's bigrams
	street, road     string
	placeKey         int64 // placeKey(street)
	point            bool
	lat, lon         float64
}

func (d Doc) held() *held {
	h := &held{id: d.CaseID, category: d.CategoryID, at: d.ReceivedAt.UnixMicro(), number: d.Number, title: d.Title,
		div: d.DivisionCode, matter: matter(d.Title, d.Address), place: bigrams(d.Address), street: Street(d.Address, d.DivisionCode)}
	h.road, h.placeKey = road(h.street), placeKey(h.street)
	if d.Lat != nil && d.Lon != nil {
		h.point, h.lat, h.lon = true, *d.Lat, *d.Lon
	}
	return h
}

// district is the part of a division code the index files cases under:
// the district (six digits), or the code itself when it is shorter.
func district(code string) string { return code[:min(len(code), 6)] }

// matter is the set of bigrams a case's likeness is measured on: those of
// its title that are not in its address, nor in the places its title
// names (placename.Names: 龙山社区, 金龙花园). The place is compared as a
// place (distance, area, street, the places named); counted as words too,
// every case in the same street or community would look like a repeat of
// every other.
func matter(title, address string) grams {
	for _, name := range placename.Names(title) {
		title = strings.ReplaceAll(title, name, " ") // no pair straddles it either
	}
	return bigrams(title).minus(bigrams(address))
}

// likeness is how alike a report's words are to a case's matter m, 0–1:
// the share of the smaller of the two found in the other, where the
// report's words also leave out the case's address (place, its bigrams: a
// report names its place too); how many words they share; and how many
// the case's matter has.
func likeness(words, m, place grams) (share float64, shared, size int) {
	if len(m) == 0 {
		return 0, 0, 0
	}
	// m and place have no gram in common: the words left are those of m
	// and those of neither.
	rest := len(words) - words.common(place)
	if rest == 0 {
		return 0, 0, len(m)
	}
	n := words.common(m)
	return float64(n) / float64(min(rest, len(m))), n, len(m)
}

// Street is the street or road an address names, without the divisions
// before it or the number after it (湖里区江头街道仙岳路123号 → 仙岳路); ""
// when none is left. With no point to measure, two reports naming the same
// street are at the same place.
func Street(address, divisionCode string) string {
	s := strings.TrimSpace(address)
	s = strings.TrimPrefix(s, "福建省")
	s = strings.TrimPrefix(s, "厦门市")
	for _, code := range []string{district(divisionCode), divisionCode} {
		if d, ok := division.ByCode(code); ok && code != "" {
			s = strings.TrimPrefix(s, d.Name)
		}
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsDigit(r) || r == '号' || r == '(' || r == '（' }); i >= 0 {
		s = s[:i]
	}
	if utf8.RuneCountInString(s) < 2 {
		return ""
	}
	return s
}

// road is street (Street) when it names a road — 西福路, 鹭江道, 海沧大道,
// 台湾街 — without a division left before it (an address whose division
// code was not known: 同安区五显镇西福路), and "" when it names something
// else (an estate, a village).
func road(street string) string {
	for _, div := range []string{"街道", "区", "镇", "乡"} {
		if i := strings.LastIndex(street, div); i >= 0 {
			street = street[i+len(div):]
		}
	}
	if utf8.RuneCountInString(street) < 2 {
		return ""
	}
	for _, end := range []string{"路", "大道", "街", "巷"} {
		if strings.HasSuffix(street, end) {
			return street
		}
	}
	if strings.HasSuffix(street, "道") && !strings.HasSuffix(street, "街道") {
		return street
	}
	return ""
}

// placeKey is the index's hash of a street name (0 for none).
func placeKey(street string) int64 {
	if street == "" {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(street))
	return int64(h.Sum64() &^ (1 << 63))
}

// maxStreet is the longest street name (in characters) a report's text is
// searched for.
const maxStreet = 12

// mentioned returns which of the place keys some run of 2–maxStreet
// characters of text has: the streets of places that it names. The runs are
// hashed as placeKey does, each extending the hash of the one before it,
// without making a string of any.
func mentioned(text string, places map[int64]bool) map[int64]bool {
	const offset64, prime64 = 14695981039346656037, 1099511628211
	out := map[int64]bool{}
	if len(places) == 0 {
		return out
	}
	for i := 0; i < len(text); {
		_, size := utf8.DecodeRuneInString(text[i:])
		h := uint64(offset64)
		runes := 0
		for j := i; j < len(text) && runes < maxStreet; {
			_, n := utf8.DecodeRuneInString(text[j:])
			for k := j; k < j+n; k++ {
				h ^= uint64(text[k])
				h *= prime64
			}
			j += n
			if runes++; runes >= 2 {
				if key := int64(h &^ (1 << 63)); places[key] {
					out[key] = true
				}
			}
		}
		i += size
	}
	return out
}

// postings are the index rows of d (none when it is closed).
func (d Doc) postings() [][]any {
	if !d.Open || d.CaseID == 0 {
		return nil
	}
	m := matter(d.Title, d.Address)
	area, at := district(d.DivisionCode), d.ReceivedAt.UnixMicro()
	place := placeKey(Street(d.Address, d.DivisionCode))
	out := make([][]any, 0, len(m))
	for _, g := range m {
		out = append(out, []any{g.key(area), at, d.CaseID, len(m), place})
	}
	return out
}

// filed reports whether d and o are filed alike in the database's index.
func (d Doc) filed(o Doc) bool {
	return d.CaseID == o.CaseID && d.Open == o.Open && d.Title == o.Title && d.Address == o.Address &&
		district(d.DivisionCode) == district(o.DivisionCode) && d.ReceivedAt.Equal(o.ReceivedAt)
}

// same reports whether d and o are alike to the resident index too.
func (d Doc) same(o Doc) bool {
	return d.filed(o) && d.DivisionCode == o.DivisionCode && d.Number == o.Number && d.CategoryID == o.CategoryID &&
		samePoint(d.Lat, o.Lat) && samePoint(d.Lon, o.Lon)
}

func samePoint(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// Track keeps the index in step with a change of a case, inside the write
// that changes it: before is the case as it was (the zero Doc for a new
// case), after as it is now. The index is written at the end of the
// write's batch, for all its changes at once and only for their net
// effect: a case opened and merged away in one batch (intake's near-exact
// repeats) is never filed.
func Track(ctx context.Context, tx *db.Tx, before, after Doc) error {
	if (before.Open || after.Open) && !before.same(after) {
		tx.Defer(pendingTrack, change{before, after})
	}
	return nil
}

type change struct{ before, after Doc }

var pendingTrack = &db.Deferred{Name: "repeat index", Apply: func(ctx context.Context, tx *db.Tx, items []any) error {
	net := map[int64]*change{}
	for _, it := range items {
		c := it.(change)
		id := cmp.Or(c.after.CaseID, c.before.CaseID)
		if n := net[id]; n != nil {
			n.after = c.after
		} else {
			net[id] = &c
		}
	}
	// In case order, the same on every writer lane.
	ids := slices.Sorted(maps.Keys(net))
	var rows [][]any
	var changed []Doc // for the resident index
	for _, id := range ids {
		c := net[id]
		if c.before.same(c.after) {
			continue
		}
		c.after.CaseID = id
		changed = append(changed, c.after)
		if c.before.filed(c.after) {
			continue
		}
		if old := c.before.postings(); len(old) > 0 {
			// One statement for all of them (each is found by its key).
			args := []any{old[0][1], old[0][2]}
			for _, p := range old {
				args = append(args, p[0])
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM repeat_grams WHERE received_at = $1 AND case_id = $2 AND gram IN ("+
				db.Placeholders(3, len(old))+")", args...); err != nil {
				return fmt.Errorf("case %d: %w", id, err)
			}
		}
		rows = append(rows, c.after.postings()...)
	}
	if len(changed) == 0 {
		return nil
	}
	if err := insert(ctx, tx, rows); err != nil {
		return err
	}
	g, err := bump(ctx, tx)
	if err != nil || g == 0 {
		return err
	}
	r := residentOf(tx.DB())
	tx.OnVisible(func() { r.apply(g, changed) })
	return nil
}}

// bump counts the index's generation up (table repeat_generation), on
// SQLite only, and returns it (0 on PostgreSQL). Every write of the index
// does: a change the resident index is not told of (a bulk load, another
// process's write) leaves a gap in the generations it sees.
func bump(ctx context.Context, tx *db.Tx) (int64, error) {
	if tx.Dialect() != db.SQLite {
		return 0, nil
	}
	var g int64
	if err := tx.QueryRowContext(ctx, "UPDATE repeat_generation SET generation = generation + 1 WHERE id = 1 RETURNING generation").Scan(&g); err != nil {
		return 0, fmt.Errorf("repeat index: generation: %w", err)
	}
	return g, nil
}

func insert(ctx context.Context, tx *db.Tx, rows [][]any) error {
	return tx.InsertRows(ctx, "repeat_grams", []string{"gram", "received_at", "case_id", "n", "place"}, rows)
}

// BulkIndex files new cases (none of them indexed yet), for bulk loads;
// closed ones are skipped.
func BulkIndex(ctx context.Context, tx *db.Tx, docs []Doc) error {
	var rows [][]any
	for _, d := range docs {
		rows = append(rows, d.postings()...)
	}
	if err := insert(ctx, tx, rows); err != nil {
		return fmt.Errorf("repeat index: bulk: %w", err)
	}
	_, err := bump(ctx, tx)
	return err
}

// reindexBatch is how many cases one write of Reindex files.
const reindexBatch = 5000

// Reindex rebuilds the index from the open cases, a range of cases per
// write, and returns how many cases it filed. It is for a database whose
// cases were written without the index (an upgrade, a bulk load by other
// means).
func Reindex(ctx context.Context, d *db.DB) (int, error) {
	if err := d.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM repeat_grams"); err != nil {
			return err
		}
		_, err := bump(ctx, tx)
		return err
	}); err != nil {
		return 0, fmt.Errorf("repeat index: clear: %w", err)
	}
	var last int64
	n := 0
	for {
		rows, err := d.QueryContext(ctx, `SELECT id, title, address, COALESCE(division_code, ''), received_at FROM cases
			WHERE id > $1 AND state IN (`+openStates+`) ORDER BY id LIMIT $2`, last, reindexBatch)
		if err != nil {
			return n, fmt.Errorf("repeat index: read cases: %w", err)
		}
		var docs []Doc
		for rows.Next() {
			doc := Doc{Open: true}
			var at int64
			if err := rows.Scan(&doc.CaseID, &doc.Title, &doc.Address, &doc.DivisionCode, &at); err != nil {
				rows.Close()
				return n, fmt.Errorf("repeat index: read cases: %w", err)
			}
			doc.ReceivedAt = time.UnixMicro(at)
			docs = append(docs, doc)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, fmt.Errorf("repeat index: read cases: %w", err)
		}
		if len(docs) == 0 {
			return n, nil
		}
		if err := d.Write(ctx, func(tx *db.Tx) error { return BulkIndex(ctx, tx, docs) }); err != nil {
			return n, err
		}
		n += len(docs)
		last = docs[len(docs)-1].CaseID
	}
}
