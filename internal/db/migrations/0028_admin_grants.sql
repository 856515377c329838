-- Four-eyes grants of administrator roles (internal/auth/reset.go). They are
-- requests of the same kind as the resets of 0026: a row of kind 'roles'
-- carries the whole role set asked for, comma-separated.
ALTER TABLE credential_resets ADD COLUMN roles TEXT;
-- Who last set this account's credentials for its holder — created it with
-- a password, reset its password or removed its second factor — and when an
-- administrator last reset them (creation aside). NULL: the holder or the
-- system. Such a person knows, or could have chosen, what signs in as the
-- account, so they may neither ask for nor approve an administrator role
-- for it, and nobody may for a while after a reset.
ALTER TABLE users ADD COLUMN credentials_set_by BIGINT;
ALTER TABLE users ADD COLUMN credentials_reset_at BIGINT;
