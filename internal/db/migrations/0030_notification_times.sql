-- An inbox notice can stand for several events of one kind on one case
-- (internal/notify, Message.Gather): every repeat report on a case its
-- unit has not yet looked at is one notice counting them, not one each.
-- times counts them; the index finds a case's unread notice of a kind.
ALTER TABLE notifications ADD COLUMN times INTEGER NOT NULL DEFAULT 1;
CREATE INDEX notifications_case ON notifications (case_id, unit_id, kind) WHERE case_id IS NOT NULL;
