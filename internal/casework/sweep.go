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
	// report or action it came with was refused, or never came) is kept
	// after it was last uploaded.
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
// uploaded content no attachment refers to, uploaded more than BlobGrace
// ago: neither table grows for ever, and a file nobody attached (it may
// show a person) does not stay in the database unseen. It deletes a chunk
// per write (the first sweep of a large database holds the writer no
// longer than any other write), each audited.
func (s *Service) Sweep(ctx context.Context) (Swept, error) {
	now := s.now()
	record := func(what string) func(tx *db.Tx, n int64) error {
		return func(tx *db.Tx, n int64) error {
			return s.audit.Append(ctx, tx, entry(access.System("housekeeping"), "housekeeping.sweep", "database", what, audit.OK,
				map[string]any{"deleted": n}))
		}
	}
	var out Swept
	var err error
	out.Keys, err = s.db.DeleteChunked(ctx, "idempotency_keys", "user_id, key", "created_at < $1",
		[]any{now.Add(-KeyRetention).UnixMicro()}, 5000, record("idempotency_keys"))
	if err != nil {
		return out, fmt.Errorf("sweep: %w", err)
	}
	cutoff := now.Add(-BlobGrace)
	out.Blobs, err = s.db.DeleteChunked(ctx, "attachment_blobs", "sha256",
		"created_at < $1 AND created_at >= $2 AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = attachment_blobs.sha256)",
		[]any{cutoff.UnixMicro(), cutoff.Add(-blobWindow).UnixMicro()}, 100, record("attachment_blobs"))
	if err != nil {
		return out, fmt.Errorf("sweep: %w", err)
	}
	return out, nil
}
