-- A timeline entry keeps its note in both languages, shown in its reader's
-- (internal/casework, Entry.Note): note in Chinese, note_en in English, ''
-- where the English is the Chinese — what a user wrote, and every entry
-- stored before. The notes pingan writes itself (warnings, supervision
-- orders, automatic merges, escalations) have both.
ALTER TABLE timeline ADD COLUMN note_en TEXT NOT NULL DEFAULT '';
