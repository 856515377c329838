-- Full-text search over cases (internal/search). The application tokenizes:
-- uni holds each distinct CJK character and lower-cased word of a case's
-- text, bi its CJK bigrams in order (phrases of consecutive bigrams match
-- longer words exactly). The rowid is the case id.
--
-- content='' with contentless_delete=1: the tokens are not stored twice
-- (the text lives in cases and reports), yet a case can be re-indexed with
-- INSERT OR REPLACE. The ascii tokenizer splits on ASCII spaces and
-- punctuation only and keeps every non-ASCII character, so each token the
-- application wrote is indexed as it is, whatever Unicode tables this
-- SQLite was built with.
CREATE VIRTUAL TABLE case_fts USING fts5 (
    uni,
    bi,
    content = '',
    contentless_delete = 1,
    tokenize = 'ascii'
);
