// Package division holds the administrative divisions pingan serves: the
// National Bureau of Statistics' 2023 division codes for Xiamen, down to
// township and street level. The repository keeps its own copy of these facts
// so that pingan runs anywhere.
package division

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"
)

//go:embed xiamen_divisions.csv
var divisionsCSV []byte

// Level of a division.
const (
	Province = "province"
	City     = "city"
	District = "district"
	Street   = "street" // 街道, 镇, 乡 and a few statistical-only areas
)

// Division is one administrative area.
type Division struct {
	Code       string
	Name       string
	Level      string
	ParentCode string
}

// Statistical reports whether d is a statistical-only area (farm, forest
// farm, bonded zone, development zone: codes 4xx) rather than a township.
func (d Division) Statistical() bool {
	return d.Level == Street && len(d.Code) == 9 && d.Code[6] == '4'
}

// ShortName is the name without its administrative suffix: 思明区 → 思明,
// 江头街道 → 江头, 灌口镇 → 灌口. Names that would become a single character
// keep their suffix.
func (d Division) ShortName() string {
	for _, suf := range []string{"街道", "区", "镇", "乡", "市"} {
		if s, ok := strings.CutSuffix(d.Name, suf); ok && len([]rune(s)) >= 2 {
			return s
		}
	}
	return d.Name
}

var load = sync.OnceValues(func() ([]Division, error) {
	recs, err := csv.NewReader(bytes.NewReader(divisionsCSV)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("embedded divisions: %w", err)
	}
	if len(recs) < 2 || strings.Join(recs[0], ",") != "code,name,level,parent_code" {
		return nil, fmt.Errorf("embedded divisions: unexpected header %v", recs[0])
	}
	out := make([]Division, 0, len(recs)-1)
	for _, r := range recs[1:] {
		out = append(out, Division{Code: r[0], Name: r[1], Level: r[2], ParentCode: r[3]})
	}
	return out, nil
})

// All returns every division in file order (parents before children).
func All() []Division {
	ds, err := load()
	if err != nil {
		panic(err) // the file is embedded; a test parses it
	}
	return ds
}

// ByCode returns the division with code.
func ByCode(code string) (Division, bool) {
	for _, d := range All() {
		if d.Code == code {
			return d, true
		}
	}
	return Division{}, false
}

// Children returns the divisions directly under code.
func Children(code string) []Division {
	var out []Division
	for _, d := range All() {
		if d.ParentCode == code {
			out = append(out, d)
		}
	}
	return out
}

// XiamenCode is the city's division code.
const XiamenCode = "350200"
