package risk

import (
	"github.com/otpd/otpd"

	"fmt"
	"math"
	"strconv"
	"time"
)

// DefaultMaxKMH is the speed ImpossibleTravel uses when given none: a bit
// faster than an airliner, which cruises near 900 km/h and rarely makes
// more than 1,100 over the ground even with a jet stream behind it, before
// counting the hours spent at airports.
const DefaultMaxKMH = 1000

// GeoIPSlackKM is how much closer two places may really be than their
// coordinates say. Free city-level databases often put an address a few
// hundred kilometres from the person using it; mobile networks in
// particular hand out addresses that locate to a regional hub. So two
// places this close are never too far apart to travel between, and longer
// distances are shortened by this much before speed is judged.
const GeoIPSlackKM = 300

// earthRadiusKM is the mean radius (IUGG).
const earthRadiusKM = 6371.0088

// Distance returns the great-circle distance between two places, by the
// haversine formula. ok is false when either place lacks coordinates.
func Distance(a, b otpd.Place) (km float64, ok bool) {
	if !a.HasCoords || !b.HasCoords {
		return 0, false
	}
	lat1, lat2 := radians(a.Lat), radians(b.Lat)
	dLat, dLon := lat2-lat1, radians(b.Lon-a.Lon)
	h := math.Pow(math.Sin(dLat/2), 2) + math.Cos(lat1)*math.Cos(lat2)*math.Pow(math.Sin(dLon/2), 2)
	return 2 * earthRadiusKM * math.Asin(math.Sqrt(min(h, 1))), true
}

func radians(deg float64) float64 { return deg * math.Pi / 180 }

// ImpossibleTravel reports whether one person could not have been at from
// at fromAt and at to at toAt (in either order) travelling at maxKMH at
// most; maxKMH <= 0 means DefaultMaxKMH. When impossible, how says how
// far in how little time, as a person would: "8,400 km in 20 min". Places without coordinates, and places within
// GeoIPSlackKM of each other, are never impossible; two far-apart places
// at the same instant are.
func ImpossibleTravel(from otpd.Place, fromAt time.Time, to otpd.Place, toAt time.Time, maxKMH float64) (how string, impossible bool) {
	km, ok := Distance(from, to)
	if !ok || km <= GeoIPSlackKM {
		return "", false
	}
	if maxKMH <= 0 {
		maxKMH = DefaultMaxKMH
	}
	elapsed := toAt.Sub(fromAt).Abs()
	if km-GeoIPSlackKM <= maxKMH*elapsed.Hours() {
		return "", false
	}
	return fmt.Sprintf("%s km in %s", thousands(km), span(elapsed)), true
}

// thousands writes km to the nearest 10, which is all the precision GeoIP
// has, with commas between thousands: "8,410".
func thousands(km float64) string {
	s := strconv.FormatInt(int64(math.Round(km/10)*10), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// span writes a duration as a person would say it: "under a minute",
// "20 min", "3 h", "3 h 20 min".
func span(d time.Duration) string {
	if d < time.Minute {
		return "under a minute"
	}
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}
