-- Typed packets (SQLite): a column per field of the engine's packet instead of its JSON in
-- `body`, foreign keys on the chat, the sender, the recipient and the claimers, and the
-- pre-cut shares of line-cutting packets as rows. Money stays integer fen, times ms since
-- the epoch. SQLite cannot add constraints to a table, so `packets`, `claims` and
-- `packet_members` are rebuilt: new tables, rows copied and converted, old ones dropped,
-- new ones renamed (which also renames the references to them).
--
-- Money in `body` is the engine's decimal string, always with two decimals ("18.80",
-- Money's Display): without its point it is the amount in fen, exactly.
--
-- Not stored: what an open packet still holds (its total less its claims), its best-luck
-- share (the largest claim once claimed out) and its chat's kind (from `chats`) follow from
-- other rows.

CREATE TABLE packets_typed (
    id                    INTEGER PRIMARY KEY,
    chat_id               TEXT NOT NULL REFERENCES chats (id),
    sender                TEXT NOT NULL REFERENCES users (username),
    idempotency_key       TEXT NOT NULL,
    kind                  TEXT NOT NULL CHECK (kind IN ('personal', 'lucky', 'normal', 'exclusive')),
    -- The named recipient of a personal or exclusive packet.
    recipient             TEXT REFERENCES users (username),
    greeting              TEXT NOT NULL,
    total                 INTEGER NOT NULL CHECK (total > 0),
    count                 INTEGER NOT NULL CHECK (count > 0),
    -- The amount of each share of a normal, personal or exclusive packet.
    per_share             INTEGER CHECK (per_share > 0),
    split                 TEXT CHECK (split IN ('double_mean', 'line_cutting')),
    share_cap             INTEGER NOT NULL CHECK (share_cap > 0),
    created_at            INTEGER NOT NULL,
    deliver_at            INTEGER,
    expires_at            INTEGER NOT NULL,
    -- The recall policy the packet was sent under.
    recall_mode           TEXT NOT NULL CHECK (recall_mode IN ('none', 'window', 'remainder', 'delayed')),
    recall_window_secs    INTEGER NOT NULL CHECK (recall_window_secs >= 0),
    recall_delay_secs     INTEGER NOT NULL CHECK (recall_delay_secs >= 0),
    recall_max_per_day    INTEGER CHECK (recall_max_per_day >= 0),
    recall_blackout_start INTEGER CHECK (recall_blackout_start BETWEEN 0 AND 1440),
    recall_blackout_end   INTEGER CHECK (recall_blackout_end BETWEEN 0 AND 1440),
    recall_auth_above     INTEGER CHECK (recall_auth_above >= 0),
    state                 TEXT NOT NULL CHECK (state IN ('pending', 'open', 'claimed_out', 'expired', 'recalled')),
    recalled_at           INTEGER,
    -- What went back to the sender (recall or expiry).
    refund                INTEGER CHECK (refund >= 0),
    finished_at           INTEGER,
    -- Drives the packet's random shares: claim k draws with Rng::with_stream(seed, k + 1).
    seed                  INTEGER NOT NULL,
    UNIQUE (sender, idempotency_key),
    CHECK ((kind IN ('personal', 'exclusive')) = (recipient IS NOT NULL)),
    CHECK ((kind = 'lucky') = (split IS NOT NULL)),
    CHECK ((kind = 'lucky') = (per_share IS NULL)),
    CHECK ((recall_blackout_start IS NULL) = (recall_blackout_end IS NULL)),
    CHECK ((state = 'recalled') = (recalled_at IS NOT NULL))
);

INSERT INTO packets_typed (
    id, chat_id, sender, idempotency_key, kind, recipient, greeting, total, count, per_share,
    split, share_cap, created_at, deliver_at, expires_at, recall_mode, recall_window_secs,
    recall_delay_secs, recall_max_per_day, recall_blackout_start, recall_blackout_end,
    recall_auth_above, state, recalled_at, refund, finished_at, seed
)
SELECT
    id,
    chat_id,
    sender,
    idempotency_key,
    json_extract(body, '$.kind'),
    json_extract(body, '$.recipient'),
    json_extract(body, '$.greeting'),
    CAST(REPLACE(json_extract(body, '$.total'), '.', '') AS INTEGER),
    json_extract(body, '$.count'),
    CAST(REPLACE(json_extract(body, '$.per_share'), '.', '') AS INTEGER),
    json_extract(body, '$.split'),
    CAST(REPLACE(json_extract(body, '$.share_cap'), '.', '') AS INTEGER),
    json_extract(body, '$.created_at'),
    json_extract(body, '$.deliver_at'),
    json_extract(body, '$.expires_at'),
    json_extract(body, '$.recall.mode'),
    json_extract(body, '$.recall.window_secs'),
    json_extract(body, '$.recall.delay_secs'),
    json_extract(body, '$.recall.max_recalls_per_day'),
    json_extract(body, '$.recall.blackout.start_minute'),
    json_extract(body, '$.recall.blackout.end_minute'),
    CAST(REPLACE(json_extract(body, '$.recall.auth_above'), '.', '') AS INTEGER),
    state,
    recalled_at,
    CAST(REPLACE(json_extract(body, '$.refund'), '.', '') AS INTEGER),
    json_extract(body, '$.finished_at'),
    seed
FROM packets;

-- A line-cutting packet's shares, cut at send time: share k goes to claim k.
CREATE TABLE packet_shares (
    packet_id INTEGER NOT NULL REFERENCES packets_typed (id),
    position  INTEGER NOT NULL CHECK (position >= 0),
    amount    INTEGER NOT NULL CHECK (amount > 0),
    PRIMARY KEY (packet_id, position)
);

INSERT INTO packet_shares (packet_id, position, amount)
SELECT p.id, CAST(s.key AS INTEGER), CAST(REPLACE(s.value, '.', '') AS INTEGER)
FROM packets p, json_each(p.body, '$.cut_shares') s;

-- The chat's members when the packet was sent (a JSON array), written once.
CREATE TABLE packet_members_typed (
    packet_id INTEGER PRIMARY KEY REFERENCES packets_typed (id),
    members   TEXT NOT NULL
);
INSERT INTO packet_members_typed (packet_id, members)
SELECT packet_id, members FROM packet_members;

-- Claims: at most one per user per packet, one per position (the second line of defence
-- behind the engine).
CREATE TABLE claims_typed (
    packet_id INTEGER NOT NULL REFERENCES packets_typed (id),
    position  INTEGER NOT NULL CHECK (position >= 0),
    username  TEXT NOT NULL REFERENCES users (username),
    amount    INTEGER NOT NULL CHECK (amount > 0),
    at        INTEGER NOT NULL,
    PRIMARY KEY (packet_id, username),
    UNIQUE (packet_id, position)
);
INSERT INTO claims_typed (packet_id, position, username, amount, at)
SELECT packet_id, position, username, amount, at FROM claims;

DROP TABLE claims;
DROP TABLE packet_members;
DROP TABLE packets;
ALTER TABLE packets_typed RENAME TO packets;
ALTER TABLE packet_members_typed RENAME TO packet_members;
ALTER TABLE claims_typed RENAME TO claims;

CREATE INDEX packets_by_chat ON packets (chat_id, id);
CREATE INDEX packets_by_sender ON packets (sender, id);
CREATE INDEX packets_due ON packets (expires_at) WHERE state IN ('open', 'pending');
