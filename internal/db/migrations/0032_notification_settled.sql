-- An inbox notice that asks someone to act on a thing (an administrator
-- change request waiting for approval) names it in subject; when the thing is
-- settled (approved, denied, withdrawn, void), every notice about it is marked
-- settled_at, shown as read with what became of it, and no longer counted
-- unread (internal/notify, Message.Subject and Service.Settle).
ALTER TABLE notifications ADD COLUMN subject TEXT;
ALTER TABLE notifications ADD COLUMN settled_at BIGINT;
CREATE INDEX notifications_subject ON notifications (subject) WHERE subject IS NOT NULL;
