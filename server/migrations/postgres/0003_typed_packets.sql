-- Typed packets (PostgreSQL): a column per field of the engine's packet instead of its JSON
-- in `body`, foreign keys on the chat, the sender, the recipient and the claimers, the
-- pre-cut shares of line-cutting packets as rows, and money as NUMERIC(19,2) yuan (exact,
-- read and written through rust_decimal; 17 integer digits hold every i64 of fen).
--
-- Money in `body` is the engine's decimal string ("18.80"): cast to NUMERIC, exactly; the
-- integer fen of the other tables become yuan by an exact division by 100.
--
-- Not stored: what an open packet still holds (its total less its claims), its best-luck
-- share (the largest claim once claimed out) and its chat's kind (from `chats`) follow from
-- other rows.

-- Money columns elsewhere. (ALTER … TYPE rewrites the ledger without firing its
-- append-only trigger, which guards UPDATE and DELETE.)
ALTER TABLE users ALTER COLUMN balance TYPE NUMERIC(19, 2) USING balance::NUMERIC / 100;
ALTER TABLE claims ALTER COLUMN amount TYPE NUMERIC(19, 2) USING amount::NUMERIC / 100;
ALTER TABLE ledger ALTER COLUMN amount TYPE NUMERIC(19, 2) USING amount::NUMERIC / 100;
ALTER TABLE claims ADD FOREIGN KEY (username) REFERENCES users (username);

ALTER TABLE packets
    ADD COLUMN kind                  TEXT,
    ADD COLUMN recipient             TEXT REFERENCES users (username),
    ADD COLUMN greeting              TEXT,
    ADD COLUMN total                 NUMERIC(19, 2),
    ADD COLUMN count                 BIGINT,
    ADD COLUMN per_share             NUMERIC(19, 2),
    ADD COLUMN split                 TEXT,
    ADD COLUMN share_cap             NUMERIC(19, 2),
    ADD COLUMN deliver_at            BIGINT,
    ADD COLUMN recall_mode           TEXT,
    ADD COLUMN recall_window_secs    BIGINT,
    ADD COLUMN recall_delay_secs     BIGINT,
    ADD COLUMN recall_max_per_day    BIGINT,
    ADD COLUMN recall_blackout_start BIGINT,
    ADD COLUMN recall_blackout_end   BIGINT,
    ADD COLUMN recall_auth_above     NUMERIC(19, 2),
    ADD COLUMN refund                NUMERIC(19, 2),
    ADD COLUMN finished_at           BIGINT;

UPDATE packets SET
    kind                  = b ->> 'kind',
    recipient             = b ->> 'recipient',
    greeting              = b ->> 'greeting',
    total                 = (b ->> 'total')::NUMERIC(19, 2),
    count                 = (b ->> 'count')::BIGINT,
    per_share             = (b ->> 'per_share')::NUMERIC(19, 2),
    split                 = b ->> 'split',
    share_cap             = (b ->> 'share_cap')::NUMERIC(19, 2),
    deliver_at            = (b ->> 'deliver_at')::BIGINT,
    recall_mode           = b #>> '{recall,mode}',
    recall_window_secs    = (b #>> '{recall,window_secs}')::BIGINT,
    recall_delay_secs     = (b #>> '{recall,delay_secs}')::BIGINT,
    recall_max_per_day    = (b #>> '{recall,max_recalls_per_day}')::BIGINT,
    recall_blackout_start = (b #>> '{recall,blackout,start_minute}')::BIGINT,
    recall_blackout_end   = (b #>> '{recall,blackout,end_minute}')::BIGINT,
    recall_auth_above     = (b #>> '{recall,auth_above}')::NUMERIC(19, 2),
    refund                = (b ->> 'refund')::NUMERIC(19, 2),
    finished_at           = (b ->> 'finished_at')::BIGINT
FROM (SELECT id AS body_id, body::JSONB AS b FROM packets) AS parsed
WHERE parsed.body_id = packets.id;

-- A line-cutting packet's shares, cut at send time: share k goes to claim k.
CREATE TABLE packet_shares (
    packet_id BIGINT NOT NULL REFERENCES packets (id),
    position  BIGINT NOT NULL CHECK (position >= 0),
    amount    NUMERIC(19, 2) NOT NULL CHECK (amount > 0),
    PRIMARY KEY (packet_id, position)
);
INSERT INTO packet_shares (packet_id, position, amount)
SELECT p.id, s.position - 1, s.amount::NUMERIC(19, 2)
FROM packets p,
     jsonb_array_elements_text(COALESCE(p.body::JSONB -> 'cut_shares', '[]'::JSONB))
         WITH ORDINALITY AS s (amount, position);

ALTER TABLE packets
    DROP COLUMN body,
    DROP COLUMN request,
    ALTER COLUMN kind SET NOT NULL,
    ALTER COLUMN greeting SET NOT NULL,
    ALTER COLUMN total SET NOT NULL,
    ALTER COLUMN count SET NOT NULL,
    ALTER COLUMN share_cap SET NOT NULL,
    ALTER COLUMN recall_mode SET NOT NULL,
    ALTER COLUMN recall_window_secs SET NOT NULL,
    ALTER COLUMN recall_delay_secs SET NOT NULL,
    ADD FOREIGN KEY (chat_id) REFERENCES chats (id),
    ADD FOREIGN KEY (sender) REFERENCES users (username),
    ADD CHECK (kind IN ('personal', 'lucky', 'normal', 'exclusive')),
    ADD CHECK (state IN ('pending', 'open', 'claimed_out', 'expired', 'recalled')),
    ADD CHECK (split IN ('double_mean', 'line_cutting')),
    ADD CHECK (recall_mode IN ('none', 'window', 'remainder', 'delayed')),
    ADD CHECK (total > 0),
    ADD CHECK (count > 0),
    ADD CHECK (per_share > 0),
    ADD CHECK (share_cap > 0),
    ADD CHECK (refund >= 0),
    ADD CHECK (recall_auth_above >= 0),
    ADD CHECK (recall_window_secs >= 0),
    ADD CHECK (recall_delay_secs >= 0),
    ADD CHECK (recall_max_per_day >= 0),
    ADD CHECK (recall_blackout_start BETWEEN 0 AND 1440),
    ADD CHECK (recall_blackout_end BETWEEN 0 AND 1440),
    ADD CHECK ((kind IN ('personal', 'exclusive')) = (recipient IS NOT NULL)),
    ADD CHECK ((kind = 'lucky') = (split IS NOT NULL)),
    ADD CHECK ((kind = 'lucky') = (per_share IS NULL)),
    ADD CHECK ((recall_blackout_start IS NULL) = (recall_blackout_end IS NULL)),
    ADD CHECK ((state = 'recalled') = (recalled_at IS NOT NULL));
