package sqlite

import (
	"context"

	"github.com/otpd/otpd/internal/sqlschema"
)

// MigrationStatus reports which migrations the open database has and
// which this build knows.
func (s *Store) MigrationStatus(ctx context.Context) (sqlschema.Status, error) {
	return s.schema.Status(ctx)
}
