-- A link to media about a report that lives elsewhere (Open311's
-- media_url): kept as given and returned as given.
ALTER TABLE reports ADD COLUMN media_url TEXT NOT NULL DEFAULT '';
