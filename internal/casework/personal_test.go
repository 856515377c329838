package casework

import "testing"

func TestPhones(t *testing.T) {
	for in, want := range map[string]string{
		"13806012345": "138****2345", "+86 138-0601-2345": "138****2345", "0086 13806012345": "138****2345",
		"0592-5551234": "059****1234", "(0592)5551234": "059****1234", "12345": "***45", "95598": "***98",
	} {
		d, ok := NormalizePhone(in)
		if !ok {
			t.Errorf("%q refused", in)
			continue
		}
		if got := MaskPhone(d); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"", "abc", "1380601234", "23806012345", "12", "138 0601 2345x"} {
		if _, ok := NormalizePhone(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestIDNumbers(t *testing.T) {
	for in, want := range map[string]string{
		"35020319900101123x": "350203********123X",
		"110101199003074258": "110101********4258",
	} {
		n, ok := NormalizeIDNumber(in)
		if !ok {
			t.Errorf("%q refused", in)
			continue
		}
		if got := MaskIDNumber(n); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"350203199001011234", "35020319900101123", "3502031990010112X3", "abcdefghijklmnopqr"} {
		if _, ok := NormalizeIDNumber(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}
