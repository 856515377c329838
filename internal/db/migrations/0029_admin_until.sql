-- When this account last lost an administrator role (internal/org/user.go,
-- ReplaceRoles). For a while after, a reset of its credentials by one
-- administrator is still a request a second one approves
-- (internal/auth/reset.go, AdminGrace): otherwise one security
-- administrator could strip another's role and at once reset their
-- password and second factor. NULL: never held one, or not since.
ALTER TABLE users ADD COLUMN admin_until BIGINT;
