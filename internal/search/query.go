package search

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// MaxQueryRunes bounds a query: an operator types a few words; a longer
// input is a mistake (or an attempt to make the database work hard).
const MaxQueryRunes = 100

var msgNoWords = i18n.M("没有可检索的文字或字词", "contains no searchable characters or words")

// Query is a parsed search: every space-separated term must occur in the
// case's text. Its tokens are quoted into the database's query syntax, never
// pasted, so nothing the operator types is an operator (OR, NEAR, *, :, &,
// |, !, quotes all search for themselves or for nothing).
type Query struct {
	text    string
	clauses []clause
	scoped  bool    // Within: only the cases of the subtrees of scope
	scope   []int64 // their roots
}

// clause is one condition: a unigram or word, a bigram, or a phrase of
// consecutive bigrams (a CJK string of three or more characters).
type clause struct {
	bigram bool // the bigram column; otherwise unigrams and words
	tokens []string
}

// Parse parses what an operator typed into the search box. Terms are
// separated by spaces and all must match. Within a term, a CJK run of one
// character matches that character, of two that word, and of three or more
// exactly that substring; a Latin word or number matches that whole word,
// case-insensitively. A term mixing scripts (3号楼) requires each part.
func Parse(s string) (Query, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Query{}, fault.InvalidField("q", fault.Required)
	}
	if utf8.RuneCountInString(s) > MaxQueryRunes {
		return Query{}, fault.InvalidField("q", fault.TooLong, MaxQueryRunes)
	}
	q := Query{text: s}
	seen := map[string]bool{}
	add := func(c clause) {
		key := fmt.Sprint(c.bigram, c.tokens)
		if !seen[key] {
			seen[key] = true
			q.clauses = append(q.clauses, c)
		}
	}
	scan(s, MaxQueryRunes, func(run []rune) {
		if len(run) == 1 {
			add(clause{tokens: []string{string(run)}})
			return
		}
		c := clause{bigram: true}
		for i := 0; i+1 < len(run); i++ {
			c.tokens = append(c.tokens, string(run[i:i+2]))
		}
		add(c)
	}, func(w string) {
		add(clause{tokens: []string{w}})
	})
	if len(q.clauses) == 0 {
		return Query{}, fault.InvalidField("q", msgNoWords)
	}
	return q, nil
}

// String returns the query as typed (trimmed).
func (q Query) String() string { return q.text }

// caseNumber is the form of a case number, XM-2026-000123.
var caseNumber = regexp.MustCompile(`^[A-Za-z]+-[0-9]+-[0-9]+$`)

// CaseNumber reports whether the query is a case number, returning it
// upper-cased. Operators paste numbers into the search box; looking the case
// up by its number is exact and instant, where the text search would match
// every case mentioning the year.
func (q Query) CaseNumber() (string, bool) {
	if !caseNumber.MatchString(q.text) {
		return "", false
	}
	return strings.ToUpper(q.text), true
}

// Condition returns an SQL condition on cases aliased c, to AND into a
// case query, and the one argument it binds as placeholder $n. It suits any
// order and counts; on SQLite it reads every match before the first row
// (about 0.2 µs a match: 45 ms for a character in a fifth of a million
// cases), so a list newest first should use NewestFirst instead.
func (q Query) Condition(d db.Dialect, n int) (string, any) {
	if d == db.Postgres {
		return fmt.Sprintf("c.id IN (SELECT case_id FROM case_search WHERE %s)", q.pgMatch(n)), q.tsquery()
	}
	return fmt.Sprintf("c.id IN (SELECT rowid FROM case_fts WHERE case_fts MATCH $%d)", n), q.match()
}

// pgMatch is the condition on case_search, the text bound as $n.
func (q Query) pgMatch(n int) string {
	if q.scoped {
		return fmt.Sprintf("tsv @@ (to_tsquery('simple', $%d) && %s)", n, q.scopeTsquery())
	}
	return fmt.Sprintf("tsv @@ to_tsquery('simple', $%d)", n)
}

// Matches returns a query counting the cases the index matches, stopping
// at limit (0: every match), binding its argument as $1. It reads the index
// alone, not one case: what a count asks when the text is its only
// condition (on SQLite ~0.2 µs a match, where joining each case costs 5 µs
// or more).
func (q Query) Matches(d db.Dialect, limit int) (string, any) {
	inner, arg := "SELECT 1 FROM case_fts WHERE case_fts MATCH $1", q.match()
	if d == db.Postgres {
		inner, arg = "SELECT 1 FROM case_search WHERE "+q.pgMatch(1), q.tsquery()
	}
	if limit > 0 {
		inner += fmt.Sprintf(" LIMIT %d", limit)
	}
	return "SELECT COUNT(*) FROM (" + inner + ") m", arg
}

// Newest is the shape of a case query, newest case first, that reads the
// matches from the index in id order and stops at the end of the page. On
// SQLite it takes well under a millisecond for the first page however
// common the word, where Condition takes time in proportion to the matches;
// but SQLite walks the index in order only if both the ORDER BY and the
// keyset bound name the index's rowid, not c.id (with either on c.id it
// reads, or sorts, every match).
type Newest struct {
	Join  string // to append to "FROM cases c"
	Where string // the match, to AND with the other conditions
	Arg   any    // bound to the placeholder given
	ID    string // the case id to ORDER BY (ID DESC) and to bound pages by (ID < cursor)
}

// NewestFirst returns the query shape of a case list newest first, binding
// its argument as placeholder $n. PostgreSQL's planner chooses between the
// GIN index and walking cases backwards by itself: there it is Condition.
func (q Query) NewestFirst(d db.Dialect, n int) Newest {
	if d == db.Postgres {
		cond, arg := q.Condition(d, n)
		return Newest{Where: cond, Arg: arg, ID: "c.id"}
	}
	return Newest{Join: "JOIN case_fts f ON f.rowid = c.id", Where: fmt.Sprintf("f.case_fts MATCH $%d", n), Arg: q.match(), ID: "f.rowid"}
}

// match renders the query in FTS5 syntax: uni : "噪" AND bi : "停车 车场",
// and its scope (scopeMatch). Every token is a double-quoted string,
// FTS5's only form of literal text, and names its column.
func (q Query) match() string {
	var b strings.Builder
	for i, c := range q.clauses {
		if i > 0 {
			b.WriteString(" AND ")
		}
		if c.bigram {
			b.WriteString("bi : ")
		} else {
			b.WriteString("uni : ")
		}
		b.WriteString(`"` + strings.ReplaceAll(strings.Join(c.tokens, " "), `"`, `""`) + `"`)
	}
	if q.scoped {
		b.WriteString(" AND " + q.scopeMatch())
	}
	return b.String()
}

var lexemeQuoter = strings.NewReplacer(`'`, `''`, `\`, `\\`)

// tsquery renders the query in PostgreSQL's tsquery syntax: '噪' & '停车' <->
// '车场'. Every lexeme is single-quoted, the tsquery form of literal text.
func (q Query) tsquery() string {
	var b strings.Builder
	for i, c := range q.clauses {
		if i > 0 {
			b.WriteString(" & ")
		}
		if len(c.tokens) > 1 {
			b.WriteByte('(')
		}
		for j, t := range c.tokens {
			if j > 0 {
				b.WriteString(" <-> ")
			}
			b.WriteString("'" + lexemeQuoter.Replace(t) + "'")
		}
		if len(c.tokens) > 1 {
			b.WriteByte(')')
		}
	}
	return b.String()
}
