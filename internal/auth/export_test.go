package auth

import "context"

// SetResetHook runs f in reset between its read of the target's roles and
// the transaction that writes, until the returned func restores the hook.
func SetResetHook(f func()) (restore func()) {
	old := resetHook
	resetHook = f
	return func() { resetHook = old }
}

// Stamp is the fingerprint a request of kind about userID stores now.
func (s *Service) Stamp(ctx context.Context, userID int64, kind ResetKind) (string, error) {
	return s.stamp(ctx, s.db, userID, kind)
}
