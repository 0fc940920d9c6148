package risk

import (
	"github.com/otpd/otpd"

	"errors"
	"fmt"
	"net/netip"

	"github.com/oschwald/maxminddb-golang/v2"
)

// GeoIP locates addresses in MaxMind-format (.mmdb) City or Country
// databases. It is safe for concurrent use; Close it only when no Locate
// is running or will run.
type GeoIP struct {
	dbs   []*maxminddb.Reader
	paths []string
}

// probeRecords bounds how many records OpenGeoIP reads to decide whether
// a database holds places at all; the first few records of a real one do.
const probeRecords = 64

// OpenGeoIP opens one or more .mmdb files. Locate asks them in the order
// given and takes the first answer, so a database that comes as separate
// IPv4 and IPv6 files (like DB-IP's City Lite from ip-location-db) is
// opened as two paths. A file that cannot be read, or that holds no
// country in its first records (an ASN database, say), is an error that
// names its path, so that a wrong setting stops the server at start-up
// instead of making every place unknown.
func OpenGeoIP(paths ...string) (*GeoIP, error) {
	if len(paths) == 0 {
		return nil, errors.New("risk: open GeoIP: no database given")
	}
	g := &GeoIP{}
	for _, path := range paths {
		db, err := maxminddb.Open(path)
		if err == nil {
			err = probe(db)
			if err != nil {
				db.Close()
			}
		}
		if err != nil {
			g.Close()
			return nil, fmt.Errorf("risk: open GeoIP database %s: %w", path, err)
		}
		g.dbs, g.paths = append(g.dbs, db), append(g.paths, path)
	}
	return g, nil
}

func probe(db *maxminddb.Reader) error {
	n := 0
	for res := range db.Networks() {
		var r record
		if err := res.Decode(&r); err != nil {
			return fmt.Errorf("not a City or Country database: %w", err)
		}
		if r.place().Country != "" {
			return nil
		}
		if n++; n == probeRecords {
			break
		}
	}
	if n == 0 {
		return errors.New("the database holds no records")
	}
	return fmt.Errorf("not a City or Country database: none of its first %d records names a country (database type %q)",
		n, db.Metadata.DatabaseType)
}

// Locate returns the place of ip, or the zero Place when no database knows
// it. Loopback, private, link-local and multicast addresses are always
// unknown: free databases fill some of those ranges with the country of
// whoever registered them, and "Australia" for a proxy's 192.168.1.10
// would mislead the person reading the code email. A record that does not
// decode also counts as unknown; a place is advice, and a sign-in must not
// fail for want of one.
func (g *GeoIP) Locate(ip netip.Addr) otpd.Place {
	ip = ip.Unmap().WithZone("")
	if !locatable(ip) {
		return otpd.Place{}
	}
	for _, db := range g.dbs {
		if ip.Is6() && db.Metadata.IPVersion == 4 {
			continue
		}
		res := db.Lookup(ip)
		var r record
		if !res.Found() || res.Decode(&r) != nil {
			continue
		}
		if p := r.place(); p.Country != "" {
			return p
		}
	}
	return otpd.Place{}
}

// Close releases the databases.
func (g *GeoIP) Close() error {
	var errs []error
	for _, db := range g.dbs {
		errs = append(errs, db.Close())
	}
	g.dbs = nil
	return errors.Join(errs...)
}

func locatable(ip netip.Addr) bool {
	return ip.IsValid() && !ip.IsUnspecified() && !ip.IsLoopback() && !ip.IsPrivate() &&
		!ip.IsLinkLocalUnicast() && !ip.IsMulticast()
}
