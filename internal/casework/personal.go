package casework

import (
	"strings"
	"unicode/utf8"

	"pingan/internal/i18n"
)

var (
	msgPhone    = i18n.M("不是有效的电话号码", "is not a valid phone number")
	msgIDNumber = i18n.M("不是有效的18位居民身份证号码", "is not a valid 18-digit resident ID number")
)

// NormalizePhone strips spaces, dashes, brackets and a +86/0086 prefix; it
// returns the digits and whether they look like a Chinese mobile (11 digits
// from 1) or landline (area code from 0, 10–12 digits) or short service
// number (5–8 digits).
func NormalizePhone(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '+' || r == '（' || r == '）':
		default:
			return "", false
		}
	}
	d := b.String()
	if strings.HasPrefix(s, "+86") || strings.HasPrefix(s, "0086") {
		d = strings.TrimPrefix(strings.TrimPrefix(d, "00"), "86")
	}
	switch {
	case len(d) == 11 && d[0] == '1' && d[1] >= '3':
		return d, true
	case len(d) >= 10 && len(d) <= 12 && d[0] == '0':
		return d, true
	case len(d) >= 5 && len(d) <= 8 && d[0] != '0':
		return d, true
	}
	return "", false
}

// MaskPhone shows the first 3 and last 4 digits: 138****5678.
func MaskPhone(d string) string {
	if len(d) <= 7 {
		return strings.Repeat("*", len(d)-min(2, len(d))) + d[len(d)-min(2, len(d)):]
	}
	return d[:3] + strings.Repeat("*", len(d)-7) + d[len(d)-4:]
}

// NormalizeIDNumber upper-cases the check character and validates an
// 18-character resident identity number (GB 11643-1999): 17 digits and an
// ISO 7064 MOD 11-2 check character.
func NormalizeIDNumber(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if utf8.RuneCountInString(s) != 18 {
		return "", false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		c := s[i]
		if c < '0' || c > '9' {
			return "", false
		}
		sum += int(c-'0') * weights[i]
	}
	if s[17] != "10X98765432"[sum%11] {
		return "", false
	}
	return s, true
}

// MaskIDNumber shows the first 6 and last 4 characters.
func MaskIDNumber(s string) string {
	if len(s) <= 10 {
		return strings.Repeat("*", len(s))
	}
	return s[:6] + strings.Repeat("*", len(s)-10) + s[len(s)-4:]
}
