-- Studies (issue 14): the researcher's console saves them, a participant's page reads one by
-- its key. `body` is the study's JSON as the server wrote it (the study parsed and validated
-- by hongbao-study, then serialized again), never the text a request brought; `closed` is
-- the study's own `closed`, kept as a column so that a query need not read the JSON.
-- `saved_at` (ms since the epoch) and `saved_by` are the last save's time and researcher.
CREATE TABLE studies (
    key      TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 64),
    body     TEXT NOT NULL CHECK (body::jsonb IS NOT NULL),
    closed   BOOLEAN NOT NULL,
    saved_at BIGINT NOT NULL,
    saved_by TEXT NOT NULL REFERENCES users (username)
);
