-- Full-text search over cases (internal/search). The application tokenizes
-- a case's text into CJK unigrams and lower-cased words (stored without
-- positions) and CJK bigrams (with positions, for phrases); the 'simple'
-- configuration only splits them on spaces.
CREATE TABLE case_search (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    tsv     tsvector NOT NULL
);
CREATE INDEX case_search_tsv ON case_search USING GIN (tsv);
-- The planner estimates a lexeme missing from the column's statistics at
-- half the rarest one it knows; with the default hundred-odd entries that is
-- hundreds of cases, so a search for a word no case contains walked every
-- case newest first (150 ms at 200,000 cases) instead of asking the GIN
-- index (under 1 ms). A long list of lexemes makes those estimates small.
ALTER TABLE case_search ALTER COLUMN tsv SET STATISTICS 10000;
