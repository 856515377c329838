package division

import (
	"os"
	"testing"

	"pingan/internal/sharedtest"
)

func TestEmbeddedDivisions(t *testing.T) {
	if _, ok := ByCode(XiamenCode); !ok {
		t.Fatal("Xiamen missing")
	}
	districts := Children(XiamenCode)
	if len(districts) != 6 {
		t.Fatalf("districts = %d, want 6", len(districts))
	}
	streets, statistical := 0, 0
	for _, d := range districts {
		for _, s := range Children(d.Code) {
			streets++
			if s.Statistical() {
				statistical++
			}
		}
	}
	if streets != 54 || statistical != 9 {
		t.Errorf("streets = %d (statistical %d), want 54 (9)", streets, statistical)
	}
	for name, want := range map[string]string{"350203": "思明", "350206004": "江头", "350211102": "灌口", "350200": "厦门"} {
		d, _ := ByCode(name)
		if got := d.ShortName(); got != want {
			t.Errorf("ShortName(%s) = %q, want %q", d.Name, got, want)
		}
	}
}

// The embedded copy must stay identical to the shared reference data.
func TestMatchesSharedData(t *testing.T) {
	shared, err := os.ReadFile(sharedtest.Path(t, "xiamen_divisions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if string(shared) != string(divisionsCSV) {
		t.Error("internal/division/xiamen_divisions.csv differs from ../shared/data/xiamen_divisions.csv")
	}
}

func TestLocate(t *testing.T) {
	for _, tc := range []struct {
		lat, lon float64
		want     string
	}{
		{24.4464, 118.0668, "350203"}, // 鼓浪屿 is in 思明区
		{24.4792, 118.0894, "350203"}, // 中山路
		{24.5120, 118.1460, "350206"}, // 湖里 五缘湾
		{24.5764, 118.0977, "350211"}, // 集美学村
		{24.4836, 118.0250, "350205"}, // 海沧
		{24.7290, 118.1520, "350212"}, // 同安城区
		{24.6190, 118.2480, "350213"}, // 翔安 马巷
	} {
		d, ok := Locate(tc.lat, tc.lon)
		if !ok || d.Code != tc.want {
			t.Errorf("(%v, %v) → %s %v, want %s", tc.lat, tc.lon, d.Code, ok, tc.want)
		}
	}
	for _, p := range [][2]float64{{24.40, 118.20}, {39.9, 116.4}} { // the sea off 厦门岛, Beijing
		if d, ok := Locate(p[0], p[1]); ok {
			t.Errorf("%v is in %s", p, d.Name)
		}
	}
	if len(Boundaries()) != 6 {
		t.Errorf("%d boundaries", len(Boundaries()))
	}
}
