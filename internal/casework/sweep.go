package casework

import (
	"context"
	"fmt"
	"time"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
)

// How long what serves only a while is kept.
const (
	// KeyRetention is how long an Idempotency-Key answers a retried
	// request with its first result; after it, the key is forgotten.
	KeyRetention = 7 * 24 * time.Hour
	// BlobGrace is how long uploaded content that no attachment took (the
	// report or action it came with was refused, or never came) is kept.
	BlobGrace = 24 * time.Hour
	// blobWindow is how far before the grace period a sweep looks: content
	// is checked once it is BlobGrace old, until it is blobWindow older
	// (attachments are never removed, so content attached stays attached;
	// a node down for longer than the window leaves what was uploaded
	// before it).
	blobWindow = 7 * 24 * time.Hour
)

// Swept says what Sweep removed.
type Swept struct {
	Keys, Blobs int64
}

// Sweep forgets idempotency keys older than KeyRetention and deletes
// uploaded content no attachment refers to, stored more than BlobGrace
// ago: neither table grows for ever, and a file nobody attached (it may
// show a person) does not stay in the database unseen. What it deletes is
// audited.
func (s *Service) Sweep(ctx context.Context) (Swept, error) {
	now := s.now()
	var out Swept
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		out = Swept{}
		res, err := tx.ExecContext(ctx, "DELETE FROM idempotency_keys WHERE created_at < $1", now.Add(-KeyRetention).UnixMicro())
		if err != nil {
			return fmt.Errorf("idempotency keys: %w", err)
		}
		if out.Keys, err = res.RowsAffected(); err != nil {
			return err
		}
		cutoff := now.Add(-BlobGrace)
		res, err = tx.ExecContext(ctx, `DELETE FROM attachment_blobs WHERE created_at < $1 AND created_at >= $2
			AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = attachment_blobs.sha256)`,
			cutoff.UnixMicro(), cutoff.Add(-blobWindow).UnixMicro())
		if err != nil {
			return fmt.Errorf("unattached files: %w", err)
		}
		if out.Blobs, err = res.RowsAffected(); err != nil {
			return err
		}
		if out.Keys == 0 && out.Blobs == 0 {
			return nil
		}
		return s.audit.Append(ctx, tx, entry(access.System("housekeeping"), "housekeeping.sweep", "database", "", audit.OK,
			map[string]any{"idempotency_keys": out.Keys, "unattached_files": out.Blobs}))
	})
	if err != nil {
		return Swept{}, fmt.Errorf("sweep: %w", err)
	}
	return out, nil
}
