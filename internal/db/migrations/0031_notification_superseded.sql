-- A gathered inbox notice (internal/notify, Message.Gather) moves to the top
-- of the inbox when it counts a new event: the count goes into a new notice,
-- and the one it replaces is marked superseded_by it and no longer listed.
-- It is not deleted: a reader marking it read at that moment refers to it.
ALTER TABLE notifications ADD COLUMN superseded_by BIGINT;
