package search

// A user sees the cases their unit or its descendants are involved in
// (case_units). Joining that condition to a text match made the index walk
// its matches until enough of them fell in the scope: for a common
// character in a district's scope, 10,000 matches of the scope took tens of
// thousands of probes of case_units. So each case's entry also carries its
// scope: a token for every unit involved in the case and for each of that
// unit's ancestors. A scope that is one unit's subtree is then one token,
// and the match intersects it inside the index (Query.Within).
//
// The tokens cannot be forged from a query: on SQLite they are in a column
// of their own (scope), which a parsed query never names; on PostgreSQL
// they are lexemes beginning with '@', which the tokenizer never produces
// (it keeps letters and digits only), put in the vector and the query
// verbatim, not through the text search parser.
//
// They stay right because every write that changes them re-indexes the
// case: involving a unit (Rescope, from casework's involve) and moving a
// unit to another parent (UnitMoved, from org), in the same write. A case
// indexed before scope tokens existed is indexed again: on SQLite Prepare
// remakes a side file without the scope column, on PostgreSQL migration
// 0027 adds the lexemes.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"pingan/internal/db"
)

// scopeToken is the index token of the subtree of unit: on SQLite in the
// scope column, on PostgreSQL a lexeme no text can make.
func scopeToken(d db.Dialect, unit int64) string {
	if d == db.Postgres {
		return "@" + strconv.FormatInt(unit, 10)
	}
	return "u" + strconv.FormatInt(unit, 10)
}

// rescope asks the batch's index work to index a case again from what the
// database holds, because the units it involves changed.
type rescope int64

// Rescope re-indexes a case with the write that changed the units it
// involves (a row of case_units added), so its scope tokens follow. The
// case's text is read from the database at the end of the write's batch,
// unless the batch indexes a new text for it anyway.
func Rescope(ctx context.Context, tx *db.Tx, caseID int64) error {
	tx.Defer(deferredIndex, rescope(caseID))
	return nil
}

// UnitMoved re-indexes, with the write that moved a unit to another
// parent, every case involving the unit or one of its descendants: their
// scope tokens name the unit's ancestors. path is the unit's new path,
// the prefix of its subtree's paths. A move is rare and an administrator's
// act; it costs a read of each affected case's text in the moving write
// (on SQLite the index itself is written after, off the writer).
//
// On SQLite the move also counts a new generation of the unit tree in the
// main database (counters, scopeGeneration), which the side file takes
// only once the re-indexed entries are in it: until then — the side writer
// behind, a write of it failed, the process gone before it ran — the
// entries may name the old ancestors, and scoped searches do not trust
// them (ScopeCurrent); the next start indexes everything again (Prepare).
// On PostgreSQL the entries change in the move's own transaction, which
// first locks case_units against new rows: a case involving a unit of the
// subtree meanwhile would otherwise be indexed under the old path, unseen
// by the move.
func UnitMoved(ctx context.Context, tx *db.Tx, path string) error {
	if tx.Dialect() == db.Postgres {
		if _, err := tx.ExecContext(ctx, "LOCK TABLE case_units IN SHARE MODE"); err != nil {
			return fmt.Errorf("search index: lock case_units for a unit move: %w", err)
		}
	}
	ids, err := db.IDs(ctx, tx, `SELECT DISTINCT cu.case_id FROM case_units cu JOIN units u ON u.id = cu.unit_id
		WHERE u.path LIKE $1 ORDER BY cu.case_id`, path+"%")
	if err != nil {
		return fmt.Errorf("search index: cases of the units under %s: %w", path, err)
	}
	for _, id := range ids {
		tx.Defer(deferredIndex, rescope(id))
	}
	if tx.Dialect() == db.SQLite {
		var gen int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO counters (name, value) VALUES ($1, 1)
			ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value`, scopeGeneration).Scan(&gen); err != nil {
			return fmt.Errorf("search index: count the unit move: %w", err)
		}
		tx.Defer(deferredIndex, generation(gen))
	}
	return nil
}

// scopeGeneration names the counter of unit moves (SQLite): the generation
// of the unit tree the scope tokens are made from.
const scopeGeneration = "search scope generation"

// generation asks the batch's index work to record, after its entries,
// that the side file holds the unit tree's generation.
type generation int64

// ScopeCurrent waits for the index as Sync does and reports whether its
// scope tokens can be trusted for a scoped search: on SQLite, when the
// side file took in every write acknowledged before (within SyncBound) and
// holds the unit tree's generation (see UnitMoved). A search told no falls
// back to the scope as a condition on case_units. It fails only when ctx
// ends or the databases cannot be read.
func ScopeCurrent(ctx context.Context, d *db.DB) (bool, error) {
	side := d.Side()
	if side == nil {
		return true, nil
	}
	bounded, cancel := context.WithTimeout(ctx, SyncBound)
	defer cancel()
	if err := d.SyncAside(bounded); err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, nil // behind: the search goes on with what it has, unscoped
	}
	want, have, err := generations(ctx, d)
	return err == nil && want == have, err
}

// generations returns the unit tree's generation (the main database's) and
// the one the side file holds.
func generations(ctx context.Context, d *db.DB) (want, have int64, err error) {
	if err := d.QueryRowContext(ctx, "SELECT COALESCE(MAX(value), 0) FROM counters WHERE name = $1", scopeGeneration).Scan(&want); err != nil {
		return 0, 0, fmt.Errorf("search index: unit tree generation: %w", err)
	}
	if err := d.Side().QueryRowContext(ctx, "SELECT COALESCE(MAX(generation), 0) FROM search_scope").Scan(&have); err != nil {
		return 0, 0, fmt.Errorf("search index: its unit tree generation: %w", err)
	}
	return want, have, nil
}

// setGeneration records in the side file that its entries are made from
// the unit tree's generation gen.
func setGeneration(ctx context.Context, side *db.Tx, gen int64) error {
	_, err := side.ExecContext(ctx, `INSERT INTO search_scope (id, generation) VALUES (1, $1)
		ON CONFLICT (id) DO UPDATE SET generation = excluded.generation`, gen)
	return err
}

// idsIn is a subquery of the ids in the JSON array bound to $n.
func idsIn(d db.Dialect, n int) string {
	if d == db.Postgres {
		return fmt.Sprintf("(SELECT value::bigint FROM json_array_elements_text($%d::json))", n)
	}
	return fmt.Sprintf("(SELECT value FROM json_each($%d))", n)
}

// dense reports whether sorted ids are close enough together to read their
// rows by range rather than one by one.
func dense(ids []int64) bool {
	return len(ids) > 0 && ids[len(ids)-1]-ids[0] < int64(2*len(ids))
}

// caseIDs selects the rows of the cases ids (sorted) by column, binding
// its arguments from $n: by range when they are dense, else by list.
func caseIDs(d db.Dialect, column string, n int, ids []int64) (string, []any) {
	if dense(ids) {
		return fmt.Sprintf("%s BETWEEN $%d AND $%d", column, n, n+1), []any{ids[0], ids[len(ids)-1]}
	}
	list, _ := json.Marshal(ids) // integers: cannot fail
	return column + " IN " + idsIn(d, n), []any{string(list)}
}

// ResolveScopes sets the scope tokens of docs from the units their cases
// involve as tx (a write of the main database) sees them. IndexAll and
// Index do it themselves; a loader that hands docs to BulkIndex on the
// side file's writer calls it first, in the write that stored the cases
// and their case_units rows.
func ResolveScopes(ctx context.Context, tx *db.Tx, docs []Doc) error {
	if len(docs) == 0 {
		return nil
	}
	ids := make([]int64, len(docs))
	for i, d := range docs {
		ids[i] = d.CaseID
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	d := tx.Dialect()
	where, args := caseIDs(d, "cu.case_id", 1, ids)
	rows, err := tx.QueryContext(ctx, "SELECT cu.case_id, cu.unit_id, u.path FROM case_units cu JOIN units u ON u.id = cu.unit_id WHERE "+where, args...)
	if err != nil {
		return fmt.Errorf("search index: units of cases: %w", err)
	}
	defer rows.Close()
	units := map[int64][]int64{}
	for rows.Next() {
		var caseID, unit int64
		var path string
		if err := rows.Scan(&caseID, &unit, &path); err != nil {
			return fmt.Errorf("search index: units of cases: %w", err)
		}
		units[caseID] = append(units[caseID], unit)
		for _, p := range strings.Split(strings.Trim(path, "/"), "/") {
			if id, err := strconv.ParseInt(p, 10, 64); err == nil {
				units[caseID] = append(units[caseID], id)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search index: units of cases: %w", err)
	}
	for i := range docs {
		docs[i] = docs[i].WithScope(units[docs[i].CaseID])
	}
	return nil
}

// WithScope returns the doc with its scope given: units holds every unit
// involved in the case and each of their ancestors (org.Unit.Ancestors),
// in any order, repeats allowed. It is for a loader that knows them and
// hands docs to BulkIndex; Index and IndexAll read them from case_units.
func (d Doc) WithScope(units []int64) Doc {
	us := slices.Clone(units)
	slices.Sort(us)
	d.units, d.scoped = slices.Compact(us), true
	return d
}

// scopeText is the scope tokens of units, space-separated, as stored.
func scopeText(d db.Dialect, units []int64) string {
	tokens := make([]string, len(units))
	for i, u := range units {
		tokens[i] = scopeToken(d, u)
	}
	return strings.Join(tokens, " ")
}

// ScopeRoots returns the units whose subtrees make up a scope of units (a
// unit and its descendants, as access.Scope holds it), for Query.Within:
// the units whose parent is not in it. ok is false when units is not a
// union of whole subtrees (a unit in it has a child outside it); the scope
// tokens cannot express it, and the caller keeps its own condition.
func ScopeRoots(ctx context.Context, q db.Querier, d db.Dialect, units []int64) (roots []int64, ok bool, err error) {
	if len(units) == 0 {
		return nil, true, nil
	}
	in := map[int64]bool{}
	for _, u := range units {
		in[u] = true
	}
	list, _ := json.Marshal(units) // integers: cannot fail
	set := idsIn(d, 1)
	rows, err := q.QueryContext(ctx, "SELECT id, parent_id FROM units WHERE id IN "+set+" OR parent_id IN "+set, string(list))
	if err != nil {
		return nil, false, fmt.Errorf("search scope: units: %w", err)
	}
	defer rows.Close()
	ok = true
	for rows.Next() {
		var id int64
		var parent sql.NullInt64
		if err := rows.Scan(&id, &parent); err != nil {
			return nil, false, fmt.Errorf("search scope: units: %w", err)
		}
		switch {
		case !in[id]:
			ok = false // a child outside the scope
		case !parent.Valid || !in[parent.Int64]:
			roots = append(roots, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("search scope: units: %w", err)
	}
	if !ok {
		return nil, false, nil
	}
	slices.Sort(roots)
	return roots, true, nil
}

// Within restricts the query to the cases involving a unit of the subtrees
// of roots (see ScopeRoots), inside the index: the match intersects the
// text's matches with the scope's, rather than the caller testing each
// match against case_units. No roots means no case.
func (q Query) Within(roots []int64) Query {
	q.scoped = true
	q.scope = slices.Clone(roots)
	return q
}

// scopeTerms returns the query's scope tokens for d, each between quote.
// Unit ids start at 1: no roots is u0 (@0), in no entry.
func (q Query) scopeTerms(d db.Dialect, quote string) []string {
	roots := q.scope
	if len(roots) == 0 {
		roots = []int64{0}
	}
	terms := make([]string, len(roots))
	for i, r := range roots {
		terms[i] = quote + scopeToken(d, r) + quote
	}
	return terms
}

// scopeMatch is the FTS5 condition of the query's scope: scope : ("u1" OR
// "u7").
func (q Query) scopeMatch() string {
	return "scope : (" + strings.Join(q.scopeTerms(db.SQLite, `"`), " OR ") + ")"
}

// scopeTsquery is the tsquery of the query's scope, '@1' | '@7', as an
// SQL literal cast to tsquery: read verbatim (the '@' would not survive
// to_tsquery's parser), and built from integers only.
func (q Query) scopeTsquery() string {
	return "'" + strings.Join(q.scopeTerms(db.Postgres, "''"), " | ") + "'::tsquery"
}
