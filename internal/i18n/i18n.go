// Package i18n holds the languages pingan speaks and the bilingual messages it
// shows. zh-CN is the default; English is the alternative. A Message carries
// both texts at its point of definition so the two cannot drift apart.
// An English text counts its nouns with {one|many} ("%d {time|times}");
// text kept in the database keeps both languages in two columns
// (Columns, Stored); Join puts messages together in each language.
package i18n

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Lang is a user interface language.
type Lang string

const (
	ZH Lang = "zh-CN" // default
	EN Lang = "en"
)

// Message is one user-facing text in both languages. The texts are
// fmt format strings; Format fills them.
type Message struct {
	ZH, EN string
}

// M defines a message.
func M(zh, en string) Message { return Message{ZH: zh, EN: en} }

// Fill is m with args put in, in both languages: text to keep and show
// later in its reader's language (an inbox notice). Arguments that are
// Messages are put in in the same language.
func (m Message) Fill(args ...any) Message {
	return Message{ZH: m.Format(ZH, args...), EN: m.Format(EN, args...)}
}

// Plain is text written in one language — a user's note, a case's title —
// that reads the same in both.
func Plain(s string) Message { return Message{ZH: s, EN: s} }

// Colon stands between a label and its text, Comma and Semicolon between
// clauses, Series between the items of a series (甲、乙), Line between
// lines, in each language's punctuation.
var (
	Colon     = M("：", ": ")
	Comma     = M("，", ", ")
	Semicolon = M("；", "; ")
	Series    = M("、", ", ")
	Line      = Plain("\n")
)

// Join is the messages that are not empty (in Chinese), one after
// another with sep between them, in each language: a system's words and
// a user's note on lines of their own (Line), a label and its text
// (Colon), reasons in a sentence (Comma).
func Join(sep Message, ms ...Message) Message {
	var zh, en []string
	for _, m := range ms {
		if m.ZH == "" {
			continue
		}
		zh, en = append(zh, m.ZH), append(en, cmp.Or(m.EN, m.ZH))
	}
	return Message{ZH: strings.Join(zh, sep.ZH), EN: strings.Join(en, sep.EN)}
}

// Columns is how a message is stored: its Chinese, and its English or ""
// when that is the Chinese (text written in one language, shown as
// written in both). Stored reads the two columns back.
func (m Message) Columns() (zh, en string) {
	if m.EN == m.ZH {
		return m.ZH, ""
	}
	return m.ZH, m.EN
}

// Lower is m with its English begun in lower case: a name put inside a
// sentence ("Review" in "Record a review request").
func Lower(m Message) Message {
	if r, size := utf8.DecodeRuneInString(m.EN); size > 0 && unicode.IsUpper(r) {
		m.EN = string(unicode.ToLower(r)) + m.EN[size:]
	}
	return m
}

// Stored is the message kept in the two columns Columns gives.
func Stored(zh, en string) Message { return Message{ZH: zh, EN: cmp.Or(en, zh)} }

// Format renders the message in lang. An English text says {one|many}
// where a word follows a number: "repeated %d {time|times}" takes the
// first when the argument of the verb before it is 1.
func (m Message) Format(lang Lang, args ...any) string {
	s := m.ZH
	if lang == EN {
		s = plural(m.EN, args)
	}
	if len(args) == 0 {
		return s
	}
	// A message among the arguments (案件/case) is given in the same
	// language, in a copy: the caller's arguments stay as they were.
	out := args
	cloned := false
	for i, a := range args {
		if inner, ok := a.(Message); ok {
			if !cloned {
				out, cloned = slices.Clone(args), true
			}
			out[i] = inner.Format(lang)
		}
	}
	return fmt.Sprintf(s, out...)
}

// plural picks each {one|many} of format by the argument of the fmt verb
// before it (explicit indexes, %[2]d, included).
func plural(format string, args []any) string {
	if !strings.Contains(format, "|") || !strings.Contains(format, "{") {
		return format
	}
	var b strings.Builder
	next, last := 0, -1 // the next verb's argument; the last verb's
	for i := 0; i < len(format); i++ {
		switch c := format[i]; c {
		case '%':
			j := i + 1
			if j < len(format) && format[j] == '%' {
				b.WriteString("%%")
				i = j
				continue
			}
			for j < len(format) && strings.IndexByte("+-# 0123456789.", format[j]) >= 0 {
				j++
			}
			if j < len(format) && format[j] == '[' {
				if k := strings.IndexByte(format[j:], ']'); k > 0 {
					if n, err := strconv.Atoi(format[j+1 : j+k]); err == nil {
						next = n - 1
					}
					j += k + 1
				}
			}
			last, next = next, next+1
			end := min(j+1, len(format)) // through the verb
			b.WriteString(format[i:end])
			i = end - 1
		case '{':
			if end := strings.IndexByte(format[i:], '}'); end > 0 {
				if one, many, ok := strings.Cut(format[i+1:i+end], "|"); ok {
					if last >= 0 && last < len(args) && isOne(args[last]) {
						b.WriteString(one)
					} else {
						b.WriteString(many)
					}
					i += end
					continue
				}
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// isOne reports whether a is the number 1.
func isOne(a any) bool {
	switch a.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return fmt.Sprint(a) == "1"
	}
	return false
}

// Parse returns the language named by s ("en", "en-US", "zh", "zh-CN"…),
// or ZH when s names neither.
func Parse(s string) Lang {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "en" || strings.HasPrefix(s, "en-") || strings.HasPrefix(s, "en_") {
		return EN
	}
	return ZH
}

// FromAcceptLanguage picks the first of zh or en in an Accept-Language
// header, honouring the order the client gave; zh-CN when neither appears.
func FromAcceptLanguage(h string) Lang {
	best, bestQ := ZH, -1.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				continue
			}
		}
		tag = strings.ToLower(tag)
		var l Lang
		switch {
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			l = EN
		case tag == "zh" || strings.HasPrefix(tag, "zh-"):
			l = ZH
		default:
			continue
		}
		if q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}
