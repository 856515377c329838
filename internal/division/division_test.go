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
	// The sea off 厦门岛 (outside every district's bounding box), the sea
	// inside bounding boxes but outside every outline — 同安湾 (within 湖里's
	// and 翔安's boxes) and 西海域 (within 思明's and 海沧's) — and Beijing.
	for _, p := range [][2]float64{{24.40, 118.20}, {24.55, 118.17}, {24.46, 118.055}, {39.9, 116.4}} {
		if d, ok := Locate(p[0], p[1]); ok {
			t.Errorf("%v is in %s", p, d.Name)
		}
	}
	inBox := func(b Boundary, lat, lon float64) bool {
		minLon, minLat, maxLon, maxLat := 180.0, 90.0, -180.0, -90.0
		for _, poly := range b.Polygons {
			for _, pt := range poly[0] {
				minLon, maxLon = min(minLon, pt[0]), max(maxLon, pt[0])
				minLat, maxLat = min(minLat, pt[1]), max(maxLat, pt[1])
			}
		}
		return lon >= minLon && lon <= maxLon && lat >= minLat && lat <= maxLat
	}
	// The two inner sea points would be placed by a bounding-box test.
	for _, p := range [][2]float64{{24.55, 118.17}, {24.46, 118.055}} {
		boxes := 0
		for _, b := range Boundaries() {
			if inBox(b, p[0], p[1]) {
				boxes++
			}
		}
		if boxes < 2 {
			t.Errorf("%v lies in %d districts' bounding boxes, want 2", p, boxes)
		}
	}
	if len(Boundaries()) != 6 {
		t.Errorf("%d boundaries", len(Boundaries()))
	}
}
