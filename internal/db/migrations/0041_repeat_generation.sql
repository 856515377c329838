-- The repeat index's generation: on SQLite, every write that changes the
-- index (repeat_grams) counts it up in the same transaction, so that a
-- process keeping the index in memory (dedup's resident index) can tell
-- whether it has seen every change — another process's write leaves a
-- gap it notices — and reads the database instead until it has. On
-- PostgreSQL, where several nodes write at once and one counter row would
-- make them wait for each other, it stays 0 and no node keeps the index in
-- memory.
CREATE TABLE repeat_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO repeat_generation (id, generation) VALUES (1, 0);
