-- Sessions expire (issue 15): after `--session-idle-secs` without use, and
-- `--session-max-age-secs` after the login, whichever comes first. `last_seen_at` is the
-- last use the server wrote down (at most about once a minute per session).
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;
CREATE INDEX sessions_by_user ON sessions (username);

-- Tickets that open one event stream once (`POST /api/v1/chats/{id}/events/ticket`):
-- the SHA-256 of the ticket, the session it was asked with, the chat, when it lapses.
CREATE TABLE stream_tickets (
    ticket_hash  TEXT PRIMARY KEY,
    session_hash TEXT NOT NULL,
    username     TEXT NOT NULL REFERENCES users (username),
    chat_id      TEXT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX stream_tickets_by_expiry ON stream_tickets (expires_at);
