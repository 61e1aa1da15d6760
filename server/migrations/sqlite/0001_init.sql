-- Hongbao's schema (SQLite). Money in integer fen, times in ms since the epoch (UTC).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    salt          TEXT NOT NULL,
    balance       INTEGER NOT NULL CHECK (balance >= 0),
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username   TEXT NOT NULL REFERENCES users (username),
    created_at INTEGER NOT NULL
);

CREATE TABLE chats (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
    work INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE chat_members (
    chat_id  TEXT NOT NULL REFERENCES chats (id),
    username TEXT NOT NULL REFERENCES users (username),
    PRIMARY KEY (chat_id, username)
);
CREATE INDEX chat_members_by_user ON chat_members (username);

-- One row per packet. `body` is the engine's Packet as JSON without its claims (rows of
-- `claims`) and members (`packet_members`); the other columns are what queries filter on. `seed` drives the
-- packet's random shares: claim k draws with Rng::with_stream(seed, k + 1).
CREATE TABLE packets (
    id              INTEGER PRIMARY KEY,
    chat_id         TEXT NOT NULL,
    sender          TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request         TEXT NOT NULL,
    state           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    recalled_at     INTEGER,
    seed            INTEGER NOT NULL,
    body            TEXT NOT NULL,
    UNIQUE (sender, idempotency_key)
);
CREATE INDEX packets_by_chat ON packets (chat_id, id);
CREATE INDEX packets_by_sender ON packets (sender, id);
CREATE INDEX packets_due ON packets (expires_at) WHERE state IN ('open', 'pending');

-- The chat's members when the packet was sent (a JSON array), written once: kept out of
-- `packets` so that the row rewritten by every claim stays small.
CREATE TABLE packet_members (
    packet_id INTEGER PRIMARY KEY REFERENCES packets (id),
    members   TEXT NOT NULL
);

-- Claims: at most one per user per packet, one per position (the second line of defence
-- behind the engine).
CREATE TABLE claims (
    packet_id INTEGER NOT NULL REFERENCES packets (id),
    position  INTEGER NOT NULL CHECK (position >= 0),
    username  TEXT NOT NULL,
    amount    INTEGER NOT NULL CHECK (amount > 0),
    at        INTEGER NOT NULL,
    PRIMARY KEY (packet_id, username),
    UNIQUE (packet_id, position)
);

-- The append-only ledger: every movement of money.
CREATE TABLE ledger (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    username  TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('grant', 'debit', 'credit', 'refund_expiry', 'refund_recall')),
    amount    INTEGER NOT NULL CHECK (amount > 0),
    packet_id INTEGER,
    at        INTEGER NOT NULL
);
CREATE INDEX ledger_by_user ON ledger (username, id);
CREATE INDEX ledger_by_packet ON ledger (packet_id);

CREATE TABLE lab_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    at       INTEGER NOT NULL,
    type     TEXT NOT NULL,
    body     TEXT NOT NULL
);
CREATE INDEX lab_events_by_user ON lab_events (username, id);

-- Nothing in the ledger is ever edited or deleted.
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
