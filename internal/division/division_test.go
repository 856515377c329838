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
