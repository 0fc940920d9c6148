package sqlstore

import (
	"context"

	"github.com/otpd/otpd"
)

const deviceColumns = `id, account_id, name, first_seen, last_seen, last_ip, last_place`

// SaveDevice remembers a device, or moves its last-seen time, address and
// place forward; its name and first-seen time stay as first saved.
func (s *Store) SaveDevice(ctx context.Context, d otpd.Device, ev *otpd.Event) error {
	err := s.inTx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO devices (`+deviceColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (account_id, id) DO UPDATE SET last_seen = excluded.last_seen,
			    last_ip = excluded.last_ip, last_place = excluded.last_place WHERE excluded.last_seen >= devices.last_seen`,
			d.ID, d.AccountID, d.Name, toMS(d.FirstSeen), toMS(d.LastSeen), d.LastIP, placeText(d.LastPlace))
		if err != nil || ev == nil {
			return err
		}
		return insertEvent(ctx, tx, *ev)
	})
	if err != nil {
		return s.errorf("save device %s: %w", d.ID, err)
	}
	return nil
}

// Device returns one of an account's devices.
func (s *Store) Device(ctx context.Context, accountID, id string) (otpd.Device, error) {
	d, err := scanDevice(s.db.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices
		WHERE account_id = $1 AND id = $2`, accountID, id))
	if err != nil {
		return otpd.Device{}, s.errorf("device %s: %w", id, notFound(err))
	}
	return d, nil
}

// Devices returns an account's devices, last seen first.
func (s *Store) Devices(ctx context.Context, accountID string) ([]otpd.Device, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+deviceColumns+` FROM devices
		WHERE account_id = $1 ORDER BY last_seen DESC, id`, accountID)
	ds, err := scanAll(rows, err, scanDevice)
	if err != nil {
		return nil, s.errorf("devices of account %s: %w", accountID, err)
	}
	return ds, nil
}

// ForgetDevice forgets a device and records ev in one transaction.
func (s *Store) ForgetDevice(ctx context.Context, accountID, id string, ev otpd.Event) error {
	err := s.changeRecorded(ctx, ev, `DELETE FROM devices WHERE account_id = $1 AND id = $2`, accountID, id)
	if err != nil {
		return s.errorf("forget device %s: %w", id, err)
	}
	return nil
}

func scanDevice(row scanner) (otpd.Device, error) {
	var (
		d           otpd.Device
		first, last int64
		place       string
	)
	if err := row.Scan(&d.ID, &d.AccountID, &d.Name, &first, &last, &d.LastIP, &place); err != nil {
		return otpd.Device{}, err
	}
	p, err := parsePlace(place)
	if err != nil {
		return otpd.Device{}, err
	}
	d.FirstSeen, d.LastSeen, d.LastPlace = fromMS(first), fromMS(last), p
	return d, nil
}
