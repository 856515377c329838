package dedup

import "testing"

func TestStreet(t *testing.T) {
	for _, tc := range []struct{ address, division, want string }{
		{"湖里区江头街道仙岳路123号", "350206004", "仙岳路"},
		{"湖里区江头北路", "350206004", "江头北路"},
		{"厦门市思明区莲前西路88号之一", "350203", "莲前西路"},
		{"思明区", "350203", ""},
		{"", "", ""},
	} {
		if got := Street(tc.address, tc.division); got != tc.want {
			t.Errorf("Street(%q, %q) = %q, want %q", tc.address, tc.division, got, tc.want)
		}
	}
}
