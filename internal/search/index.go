package search

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"pingan/internal/db"
)

// Doc is one case's searchable text, for BulkIndex.
type Doc struct {
	CaseID int64
	Text   string // see Text
	tokens *Tokenized
	units  []int64 // the case's units and their ancestors (scope.go)
	scoped bool    // whether units were set (ResolveScopes, WithScope)
}

// Tokenized is a case's text made into the index's tokens ahead of the
// write that indexes it (IndexTokenized): tokenizing is work the writer,
// which all writes wait for, need not do.
type Tokenized struct{ uni, bi string }

// Tokenize makes text (see Text) into the index's tokens.
func Tokenize(text string) Tokenized {
	uni, bi := Tokens(text)
	return Tokenized{uni, bi}
}

// IndexTokenized is Index for a text tokenized before the write.
func IndexTokenized(ctx context.Context, tx *db.Tx, caseID int64, t Tokenized) error {
	tx.Defer(deferredIndex, Doc{CaseID: caseID, tokens: &t})
	return nil
}

// Index stores the searchable text of a case, replacing what was indexed
// for it before, with the write that changes the case: on PostgreSQL in
// its transaction, at the end of the write's batch with the batch's other
// texts in one statement; on SQLite in the side file right after the batch
// commits (see side.go), which a search waits for. A case indexed twice in
// a batch keeps its last text.
func Index(ctx context.Context, tx *db.Tx, caseID int64, text string) error {
	tx.Defer(deferredIndex, Doc{CaseID: caseID, Text: text})
	return nil
}

var deferredIndex = &db.Deferred{Name: "search index", Apply: func(ctx context.Context, tx *db.Tx, items []any) error {
	docs := make([]Doc, 0, len(items))
	texts := map[int64]bool{}
	var reread []int64
	var gen generation
	for _, it := range items {
		switch it := it.(type) {
		case Doc:
			docs = append(docs, it)
			texts[it.CaseID] = true
		case rescope:
			reread = append(reread, int64(it))
		case generation:
			gen = max(gen, it)
		}
	}
	if err := IndexAll(ctx, tx, docs); err != nil {
		return err
	}
	// The cases whose units changed and whose text did not: their text as
	// stored, a chunk at a time (a unit moved may bring many).
	reread = slices.DeleteFunc(reread, func(id int64) bool { return texts[id] })
	slices.Sort(reread)
	reread = slices.Compact(reread)
	for chunk := range slices.Chunk(reread, reindexBatch) {
		where, args := caseIDs(tx.Dialect(), "id", 1, chunk)
		docs, err := caseTexts(ctx, tx, where+" ORDER BY id", args...)
		if err != nil {
			return err
		}
		if err := IndexAll(ctx, tx, docs); err != nil {
			return err
		}
	}
	if gen > 0 {
		// After the entries re-indexed for a unit move, unless writing
		// any of the side file's entries failed since the start.
		st := stateOf(tx.DB())
		tx.Aside(func(ctx context.Context, side *db.Tx) error {
			if st.failed.Load() {
				return nil
			}
			return setGeneration(ctx, side, int64(gen))
		})
	}
	return nil
}}

// pgVector builds the stored tsvector from the two token strings: the
// bigrams keep their positions (for phrases), less the run breaks, which
// ts_delete removes while keeping the gaps they leave; the unigrams and
// words are stripped of positions, which no query uses. Unigrams and
// bigrams cannot be confused in one vector: they differ in length.
func pgVector(uni, bi string) string {
	return fmt.Sprintf("ts_delete(to_tsvector('simple', %s), '%s'::text) || strip(to_tsvector('simple', %s))", bi, runBreak, uni)
}

// IndexAll indexes many cases with tx's write, as Index does one: for
// bulk loads. On SQLite the side file's writer indexes them while the
// loader goes on.
func IndexAll(ctx context.Context, tx *db.Tx, docs []Doc) error {
	return indexWith(ctx, tx, docs, true)
}

// indexWith indexes docs with tx's write: on PostgreSQL in its
// transaction; on SQLite in the side file once it commits, moving the
// side file's mark to the batch when mark is set (a reindex, which may be
// cut short, leaves the mark to its end).
func indexWith(ctx context.Context, tx *db.Tx, docs []Doc, mark bool) error {
	if err := ResolveScopes(ctx, tx, docs); err != nil {
		return err
	}
	if tx.Dialect() == db.SQLite {
		indexAside(tx, docs, mark)
		return nil
	}
	return BulkIndex(ctx, tx, docs)
}

// bulkRows is how many documents one INSERT carries: enough to amortise
// the statement, few enough to stay far below either database's limit on
// bound parameters.
const bulkRows = 200

// bulkCols is the parameters of one document: case id, unigrams, bigrams
// and scope tokens.
const bulkCols = 4

// BulkIndex writes many cases' texts into the index in tx (on SQLite a
// transaction of the side file): one multi-row INSERT per bulkRows
// documents. A case listed twice keeps its last text. The docs' scopes
// must have been given: read from the main database, which tx may not
// see (ResolveScopes, which IndexAll calls), or known (Doc.WithScope). A
// doc without is refused: it would be missing from every scoped search.
func BulkIndex(ctx context.Context, tx *db.Tx, docs []Doc) error {
	if len(docs) == 0 {
		return nil
	}
	// PostgreSQL refuses to update one row twice in a statement.
	last := make(map[int64]int, len(docs))
	for i, d := range docs {
		if !d.scoped {
			return fmt.Errorf("bulk index case %d: its scope was not given (search.ResolveScopes or Doc.WithScope)", d.CaseID)
		}
		last[d.CaseID] = i
	}
	// In rowid order: FTS5 writes its pending tokens out as a segment
	// whenever a row comes with a lower rowid than the one before (a merged
	// case's target among new cases did, once per report).
	ids := make([]int64, 0, len(last))
	for id := range last {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	args := make([]any, 0, bulkCols*len(ids))
	for _, id := range ids {
		var uni, bi string
		if d := docs[last[id]]; d.tokens != nil {
			uni, bi = d.tokens.uni, d.tokens.bi
		} else {
			uni, bi = Tokens(d.Text)
		}
		args = append(args, id, uni, bi, scopeText(tx.Dialect(), docs[last[id]].units))
	}
	pg := tx.Dialect() == db.Postgres
	rows := len(args) / bulkCols
	full := rows / bulkRows * bulkRows
	if full > 0 {
		stmt, err := tx.PrepareContext(ctx, bulkSQL(pg, bulkRows))
		if err != nil {
			return fmt.Errorf("bulk index: %w", err)
		}
		defer stmt.Close()
		for i := 0; i < full; i += bulkRows {
			if _, err := stmt.ExecContext(ctx, args[bulkCols*i:bulkCols*(i+bulkRows)]...); err != nil {
				return fmt.Errorf("bulk index cases %d–%d: %w", args[bulkCols*i], args[bulkCols*(i+bulkRows-1)], err)
			}
		}
	}
	if full < rows {
		if _, err := tx.ExecContext(ctx, bulkSQL(pg, rows-full), args[bulkCols*full:]...); err != nil {
			return fmt.Errorf("bulk index cases %d–%d: %w", args[bulkCols*full], args[len(args)-bulkCols], err)
		}
	}
	return nil
}

// bulkSQL is the INSERT of n documents. SQLite gets anonymous "?"
// parameters: it resolves each "$n" by a linear search, quadratic over a
// long statement.
func bulkSQL(pg bool, n int) string {
	var b strings.Builder
	if pg {
		b.WriteString("INSERT INTO case_search (case_id, tsv) VALUES ")
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			p := bulkCols*i + 1
			fmt.Fprintf(&b, "($%d::bigint, %s || array_to_tsvector(string_to_array($%d::text, ' ')))",
				p, pgVector(fmt.Sprintf("$%d::text", p+1), fmt.Sprintf("$%d::text", p+2)), p+3)
		}
		b.WriteString(" ON CONFLICT (case_id) DO UPDATE SET tsv = EXCLUDED.tsv")
		return b.String()
	}
	b.WriteString("INSERT OR REPLACE INTO case_fts (rowid, uni, bi, scope) VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?)")
	}
	return b.String()
}
