package edge

// maxID bounds an ID or token from outside; the longest this server makes,
// a signed deny token, is under 60 bytes.
const maxID = 256

// PlausibleID reports whether v could be an ID or token this server made:
// they are all short, printable ASCII without spaces. Anything else names
// nothing here, and must not reach the store, which may not even be able
// to compare it: PostgreSQL answers a NUL or invalid UTF-8 in a text
// parameter with an error, not with "no such row".
func PlausibleID(v string) bool {
	if v == "" || len(v) > maxID {
		return false
	}
	for i := range len(v) {
		if v[i] <= ' ' || v[i] > '~' {
			return false
		}
	}
	return true
}
