package division

import (
	"encoding/json"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"pingan/internal/sharedtest"
)

// A GCJ-02 point converts back to the WGS-84 point it came from.
func TestGCJ02RoundTrip(t *testing.T) {
	for lat := 24.40; lat <= 24.80; lat += 0.05 {
		for lon := 117.90; lon <= 118.40; lon += 0.05 {
			gLat, gLon := ToGCJ02(lat, lon)
			// In Xiamen the shift is a few hundred metres, mostly east.
			if d := (gLon - lon) * 111000 * math.Cos(lat*math.Pi/180); d < 300 || d > 700 {
				t.Fatalf("shift at %.2f,%.2f is %.0f m east", lat, lon, d)
			}
			wLat, wLon := FromGCJ02(gLat, gLon)
			if math.Abs(wLat-lat) > 1e-8 || math.Abs(wLon-lon) > 1e-8 {
				t.Fatalf("%.4f,%.4f → %.7f,%.7f → %.9f,%.9f", lat, lon, gLat, gLon, wLat, wLon)
			}
		}
	}
	// The published reference vector (Beijing, 天安门): exact to 1e-12°.
	if lat, lon := ToGCJ02(39.915, 116.404); math.Abs(lat-39.916404281502) > 1e-12 || math.Abs(lon-116.410244499169) > 1e-12 {
		t.Errorf("ToGCJ02(39.915, 116.404) = %.12f, %.12f, want 39.916404281502, 116.410244499169", lat, lon)
	}
	if lat, lon := FromGCJ02(39.916404281502, 116.410244499169); math.Abs(lat-39.915) > 1e-9 || math.Abs(lon-116.404) > 1e-9 {
		t.Errorf("FromGCJ02 of the reference vector = %.12f, %.12f, want 39.915, 116.404", lat, lon)
	}
	// Outside China there is no shift.
	if lat, lon := ToGCJ02(48.85, 2.35); lat != 48.85 || lon != 2.35 {
		t.Error("Paris was shifted")
	}
}

// The district outlines a map service publishes in GCJ-02 (a third party's
// data) agree with ours once converted: every district's published centre
// converts into that district.
func TestGCJ02AgainstSharedOutlines(t *testing.T) {
	raw, err := os.ReadFile(sharedtest.Path(t, "xiamen_districts_gcj02.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties struct {
				Adcode   int        `json:"adcode"`
				Centroid [2]float64 `json:"centroid"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != 6 {
		t.Fatalf("%d districts", len(fc.Features))
	}
	for _, f := range fc.Features {
		lat, lon := FromGCJ02(f.Properties.Centroid[1], f.Properties.Centroid[0])
		d, ok := Locate(lat, lon)
		if want := strconv.Itoa(f.Properties.Adcode); !ok || d.Code != want {
			t.Errorf("the centre of %s (GCJ-02 %v) is in %q", want, f.Properties.Centroid, d.Code)
		}
	}
}

func TestFromText(t *testing.T) {
	for _, tc := range []struct {
		text      string
		want      string
		words     string
		ambiguous bool
	}{
		{"湖里区江头北路某工地夜间施工", "350206004", "湖里区 江头", false},
		{"江头街道台湾街", "350206004", "江头街道", false},
		{"思明区莲前西路人行道井盖缺失", "350203010", "思明区 莲前", false}, // 莲前街道, in 思明区
		{"集美大道噪音扰民", "350211", "集美", false},              // a road named after the district
		{"集美街道办事处门口", "350211001", "集美街道", false},        // the township itself
		{"湖里", "350206", "湖里", false},
		{"灌口镇集美大道123号", "350211102", "灌口镇 集美", false}, // 灌口镇 is in 集美区: they agree
		{"思明区江头北路", "350206004", "思明区 江头", true},      // 江头 is not in 思明区
		{"从海沧到翔安的公交太少", "350213", "海沧 翔安", true},
		{"鼓浪屿内厝澳路一民宿", "350203012", "鼓浪屿", false}, // 内厝澳 is not 内厝镇
		{"内厝澳码头有人落水", "", "", false},
		{"莲花五村门口井盖破损", "", "", false},        // 思明区, not 莲花镇
		{"同安区滨海西大道", "350212", "同安区", false}, // not 滨海街道
		{"莲花镇军营村", "350212105", "莲花镇", false},
		{"洪塘镇石浔社区", "350212107", "洪塘镇", false},
		{"翔安区内厝镇上塘社区", "350213111", "翔安区 内厝镇", false},
		{"小区门口垃圾没人清理", "", "", false},
	} {
		p, ok := FromText(tc.text)
		if tc.want == "" {
			if ok {
				t.Errorf("%s: found %+v", tc.text, p)
			}
			continue
		}
		if !ok || p.Division.Code != tc.want || strings.Join(p.Words, " ") != tc.words || p.Ambiguous != tc.ambiguous {
			t.Errorf("%s: %s %v ambiguous=%v, want %s %s ambiguous=%v", tc.text, p.Division.Code, p.Words, p.Ambiguous,
				tc.want, tc.words, tc.ambiguous)
		}
	}
}
