package otpd

import "time"

// Account is a person known to the server by their address.
type Account struct {
	ID        string
	Email     Address
	CreatedAt time.Time
}
