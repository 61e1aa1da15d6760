-- Participants of studies (issue 14): `POST /api/v1/studies/{key}/participants` hands a
-- study link's participant a token scoped to that study, which posts that participant's
-- lab events and nothing else. `token_hash` is the token's SHA-256 (the token itself is
-- never stored); `study`, `participant`, `variant` (the study's assignment, or the link's
-- forced variant) and `forced` are what the server writes into every event posted with it; the token ends `--session-max-age-secs` after `created_at` (ms).
-- No foreign key on `study`: a study shipped with the app has no row until it is saved.
CREATE TABLE participants (
    token_hash  TEXT PRIMARY KEY,
    study       TEXT NOT NULL CHECK (length(study) BETWEEN 1 AND 64),
    participant TEXT NOT NULL CHECK (length(participant) BETWEEN 1 AND 64),
    variant     TEXT NOT NULL,
    forced      BOOLEAN NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX participants_by_study ON participants (study, participant);
CREATE INDEX participants_by_age ON participants (created_at);
