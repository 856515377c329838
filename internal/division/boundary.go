package division

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
)

//go:embed xiamen_districts.geojson
var districtsGeoJSON []byte

// Boundary is a district's outline in WGS-84: polygons of rings of
// [lon, lat] points, the first ring of each polygon its outside.
type Boundary struct {
	Code     string
	Name     string
	Polygons [][][][2]float64
}

var loadBoundaries = sync.OnceValues(func() ([]Boundary, error) {
	var fc struct {
		Features []struct {
			Properties struct {
				Adcode string `json:"adcode"`
				Name   string `json:"name"`
			} `json:"properties"`
			Geometry struct {
				Type        string           `json:"type"`
				Coordinates [][][][2]float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(districtsGeoJSON, &fc); err != nil {
		return nil, fmt.Errorf("embedded district boundaries: %w", err)
	}
	var out []Boundary
	for _, f := range fc.Features {
		if f.Geometry.Type != "MultiPolygon" {
			return nil, fmt.Errorf("district %s: geometry %s, want MultiPolygon", f.Properties.Adcode, f.Geometry.Type)
		}
		out = append(out, Boundary{Code: f.Properties.Adcode, Name: f.Properties.Name, Polygons: f.Geometry.Coordinates})
	}
	return out, nil
})

// Boundaries returns the six districts' outlines (WGS-84).
func Boundaries() []Boundary {
	bs, err := loadBoundaries()
	if err != nil {
		panic(err) // embedded; a test parses it
	}
	return bs
}

// Locate returns the district containing a WGS-84 point.
func Locate(lat, lon float64) (Division, bool) {
	for _, b := range Boundaries() {
		for _, poly := range b.Polygons {
			if inRing(poly[0], lon, lat) && !inHoles(poly[1:], lon, lat) {
				d, ok := ByCode(b.Code)
				return d, ok
			}
		}
	}
	return Division{}, false
}

func inHoles(holes [][][2]float64, x, y float64) bool {
	for _, h := range holes {
		if inRing(h, x, y) {
			return true
		}
	}
	return false
}

// inRing is the even-odd ray-casting test.
func inRing(ring [][2]float64, x, y float64) bool {
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		xi, yi, xj, yj := ring[i][0], ring[i][1], ring[j][0], ring[j][1]
		if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

// GeoJSON is the districts' outlines as the GeoJSON feature collection
// pingan embeds (properties adcode and name), for maps drawn in the browser.
func GeoJSON() []byte { return districtsGeoJSON }
