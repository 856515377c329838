-- Trained classifier models (internal/classify): every version pingan
-- model train stored, and which one intake uses. In the database, so that
-- every node on one PostgreSQL uses the same model and a switch (or a
-- rollback) reaches them all without a restart. No row in model_active
-- means the model embedded in the binary.
CREATE TABLE models (
    version    TEXT PRIMARY KEY,
    seq        INTEGER NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    data       {{blob}} NOT NULL
);

CREATE TABLE model_active (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    version      TEXT NOT NULL,
    activated_at BIGINT NOT NULL
);
