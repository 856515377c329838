// Package search is the full-text search over cases. Chinese has no spaces
// between words and operators search for one- and two-character words (噪,
// 噪音, 停车), so a word-based tokenizer finds nothing useful; instead every
// run of CJK characters is indexed as its unigrams and its bigrams, and a
// longer query is the phrase of its consecutive bigrams, which matches
// exactly the texts containing it as a substring. Other scripts (Latin
// letters, digits) are indexed as lower-cased words.
//
// The tokens are computed here, in Go, and handed to the database as
// space-separated strings, so that SQLite (an FTS5 table) and PostgreSQL (a
// tsvector with a GIN index) index the same tokens and the database's own
// tokenizer only has to split on spaces.
//
// On PostgreSQL the index is written in the transaction of the write that
// changes a case; on SQLite in the side file, right after the write's
// batch commits (side.go).
package search

import (
	"strings"
	"unicode"
)

// MaxTextRunes is how much of a case's text is indexed. PostgreSQL keeps
// token positions only up to 16,383 (phrases beyond could not match) and
// refuses a tsvector over 1 MB; the same cut on both databases keeps their
// answers identical. Case texts are far shorter.
const MaxTextRunes = 16000

// maxWordRunes cuts very long non-CJK words (hashes, URLs pasted into a
// report) in the index and in queries alike.
const maxWordRunes = 64

// runBreak separates the bigrams of two CJK runs in the bigram column. A
// phrase must not match across punctuation: without it "停车场，场地" would
// index 停车 车场 场地 at consecutive positions and match the query 停车场地.
// It is never a query token there (queries put only CJK bigrams in that
// column), and PostgreSQL deletes it from the vector, keeping the gap.
const runBreak = "x"

// Tokens returns the searchable tokens of text: uni holds each distinct CJK
// character and each distinct lower-cased word once, space-separated (their
// positions are never needed); bi holds every CJK bigram in order, with
// runBreak between runs, because phrase queries need the positions.
func Tokens(text string) (uni, bi string) {
	var t tokenizer
	scan(text, MaxTextRunes, t.addRun, t.addWord)
	return t.uni.String(), t.bi.String()
}

// tokenizer accumulates the two token strings.
type tokenizer struct {
	uni, bi   strings.Builder
	seenRunes map[rune]bool
	seenWords map[string]bool
}

// class is what a character contributes to the index.
type class int

const (
	separator class = iota
	cjk             // indexed as unigrams and bigrams
	word            // part of a lower-cased word
)

// normalize folds full-width ASCII (Ａ, １, which Chinese input methods
// produce) to ASCII, so that ＡＢＣ１２３ and abc123 are the same word.
func normalize(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		return r - 0xFEE0
	}
	return r
}

func classify(r rune) class {
	if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
		// Kangxi radicals, CJK punctuation and symbols are Han script but not
		// letters: separators, like every other symbol.
		return separator
	}
	if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
		return cjk
	}
	return word
}

// scan splits at most limit characters of text into CJK runs and
// lower-cased words, in order. The slice passed to onRun is reused.
func scan(text string, limit int, onRun func([]rune), onWord func(string)) {
	var cur []rune // the current CJK run or word
	prev := separator
	flush := func() {
		switch prev {
		case cjk:
			onRun(cur)
		case word:
			if len(cur) > maxWordRunes {
				cur = cur[:maxWordRunes]
			}
			onWord(string(cur))
		}
		cur = cur[:0]
	}
	n := 0
	for _, r := range text {
		if n == limit {
			break
		}
		n++
		r = normalize(r)
		c := classify(r)
		if c != prev {
			flush()
		}
		switch c {
		case cjk:
			cur = append(cur, r)
		case word:
			cur = append(cur, unicode.ToLower(r))
		}
		prev = c
	}
	flush()
}

func (t *tokenizer) addRun(run []rune) {
	if t.seenRunes == nil {
		t.seenRunes = make(map[rune]bool, 64)
	}
	for _, r := range run {
		if !t.seenRunes[r] {
			t.seenRunes[r] = true
			space(&t.uni)
			t.uni.WriteRune(r)
		}
	}
	if len(run) < 2 {
		return
	}
	if t.bi.Len() > 0 {
		t.bi.WriteString(" " + runBreak)
	}
	for i := 0; i+1 < len(run); i++ {
		space(&t.bi)
		t.bi.WriteRune(run[i])
		t.bi.WriteRune(run[i+1])
	}
}

func (t *tokenizer) addWord(w string) {
	if t.seenWords == nil {
		t.seenWords = make(map[string]bool, 8)
	}
	if t.seenWords[w] {
		return
	}
	t.seenWords[w] = true
	space(&t.uni)
	t.uni.WriteString(w)
}

func space(b *strings.Builder) {
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
}

// Text joins the parts of a case's searchable text (title, address, the
// reports' titles and bodies) so that no word or phrase spans two parts.
func Text(parts ...string) string { return strings.Join(parts, "\n") }
