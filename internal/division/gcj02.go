package division

import (
	"math"
	"strings"
)

// GCJ-02 is the obfuscated datum Chinese map services (高德, 腾讯, 百度's
// base before BD-09) return: WGS-84 shifted by a published non-linear
// function of position, some hundreds of metres in Xiamen. Boundaries and
// Locate work in WGS-84; points from those services are converted first.

const (
	krasovskyA  = 6378245.0             // semi-major axis of the Krasovsky 1940 ellipsoid the shift uses
	krasovskyE2 = 0.0066934216229659433 // its first eccentricity squared
)

// outsideChina reports whether the shift does not apply (it is defined for
// mainland China's rough bounding box only).
func outsideChina(lat, lon float64) bool {
	return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271
}

func shiftLat(x, y float64) float64 {
	r := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	r += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	return r
}

func shiftLon(x, y float64) float64 {
	r := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	r += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	return r
}

// ToGCJ02 shifts a WGS-84 point to GCJ-02.
func ToGCJ02(lat, lon float64) (float64, float64) {
	if outsideChina(lat, lon) {
		return lat, lon
	}
	dLat := shiftLat(lon-105.0, lat-35.0)
	dLon := shiftLon(lon-105.0, lat-35.0)
	rad := lat / 180.0 * math.Pi
	m := 1 - krasovskyE2*math.Sin(rad)*math.Sin(rad)
	sm := math.Sqrt(m)
	dLat = dLat * 180.0 / (krasovskyA * (1 - krasovskyE2) / (m * sm) * math.Pi)
	dLon = dLon * 180.0 / (krasovskyA / sm * math.Cos(rad) * math.Pi)
	return lat + dLat, lon + dLon
}

// FromGCJ02 converts a GCJ-02 point to WGS-84. The shift has no closed
// inverse; this iterates the forward shift until it lands on the given
// point (to about a millimetre, in a few steps).
func FromGCJ02(lat, lon float64) (float64, float64) {
	if outsideChina(lat, lon) {
		return lat, lon
	}
	wLat, wLon := lat, lon
	for i := 0; i < 30; i++ {
		gLat, gLon := ToGCJ02(wLat, wLon)
		dLat, dLon := gLat-lat, gLon-lon
		wLat, wLon = wLat-dLat, wLon-dLon
		if math.Abs(dLat) < 1e-9 && math.Abs(dLon) < 1e-9 {
			break
		}
	}
	return wLat, wLon
}

// ToWGS84 converts a point given in a named datum to WGS-84: "wgs84" (or
// empty) as it is, "gcj02" (高德, 腾讯) converted. ok is false for a datum
// it does not know. Every way points come in (the API's location.crs, bulk
// import) reads the datum through it.
func ToWGS84(crs string, lat, lon float64) (wLat, wLon float64, ok bool) {
	switch strings.ToLower(strings.TrimSpace(crs)) {
	case "", "wgs84", "wgs-84":
		return lat, lon, true
	case "gcj02", "gcj-02":
		wLat, wLon = FromGCJ02(lat, lon)
		return wLat, wLon, true
	}
	return lat, lon, false
}
