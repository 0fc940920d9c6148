package sqlstore

import "github.com/otpd/otpd"

// DevMessageColumns are the columns ScanDevMessage reads, in its order.
const DevMessageColumns = `message_id, to_addr, at, sealed`

// ScanDevMessage reads a dev mailbox row selected as DevMessageColumns.
func ScanDevMessage(row Scanner) (otpd.DevMessage, error) {
	var (
		m  otpd.DevMessage
		to string
		at int64
	)
	if err := row.Scan(&m.MessageID, &to, &at, &m.Sealed); err != nil {
		return otpd.DevMessage{}, err
	}
	addr, err := ParseAddress(to)
	if err != nil {
		return otpd.DevMessage{}, err
	}
	m.To, m.At = addr, FromMS(at)
	return m, nil
}
