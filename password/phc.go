package password

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The PHC string format, as written by the reference implementation and
// libsodium: $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>,
// salt and hash in standard base64 without padding. Stored hashes can be
// moved between otpd and other software that writes the same format.
const (
	algorithm = "argon2id"
	version   = 19 // 0x13, the only version otpd writes or reads
)

var b64 = base64.RawStdEncoding.Strict()

func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$%s$v=%d$m=%d,t=%d,p=%d$%s$%s",
		algorithm, version, p.Memory, p.Iterations, p.Parallelism,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decode parses a PHC string strictly: one spelling per hash, so that what
// is stored is what Verify checked. Its errors describe the fault without
// quoting the hash.
func decode(s string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return p, nil, nil, errors.New("not an argon2id hash in PHC format")
	}
	if parts[1] != algorithm {
		return p, nil, nil, errors.New("not an argon2id hash")
	}
	if parts[2] != "v="+strconv.Itoa(version) {
		return p, nil, nil, errors.New("unsupported argon2 version")
	}
	if p, err = decodeParams(parts[3]); err != nil {
		return p, nil, nil, err
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, errors.New("salt is not valid base64")
	}
	if key, err = b64.DecodeString(parts[5]); err != nil {
		return p, nil, nil, errors.New("hash is not valid base64")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.check(); err != nil {
		return p, nil, nil, err
	}
	return p, salt, key, nil
}

func decodeParams(s string) (Params, error) {
	var p Params
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return p, errors.New("parameters are not m=,t=,p=")
	}
	m, err1 := decodeParam(fields[0], "m=", 32)
	t, err2 := decodeParam(fields[1], "t=", 32)
	l, err3 := decodeParam(fields[2], "p=", 8)
	if err := errors.Join(err1, err2, err3); err != nil {
		return p, err
	}
	p.Memory, p.Iterations, p.Parallelism = uint32(m), uint32(t), uint8(l)
	return p, nil
}

// decodeParam reads one decimal parameter. It refuses leading zeros,
// which strconv alone would accept, so that each value has one spelling.
func decodeParam(field, name string, bits int) (uint64, error) {
	digits, ok := strings.CutPrefix(field, name)
	if ok && (len(digits) == 1 || !strings.HasPrefix(digits, "0")) {
		if v, err := strconv.ParseUint(digits, 10, bits); err == nil {
			return v, nil
		}
	}
	return 0, fmt.Errorf("parameter %s is missing, malformed or out of range", strings.TrimSuffix(name, "="))
}
