-- An inbox notice keeps its text in both languages, shown in its reader's
-- (internal/notify): title and body in Chinese, title_en and body_en in
-- English, '' where the English is the Chinese (a note written in either,
-- and every notice stored before).
ALTER TABLE notifications ADD COLUMN title_en TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN body_en TEXT NOT NULL DEFAULT '';
