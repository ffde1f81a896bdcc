-- Players the platform has seen: guests (ids minted by auth-service) and OIDC identities.
CREATE TABLE players (
    id           text PRIMARY KEY,
    display_name text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('guest', 'oidc')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz
);

-- Session history. The live session lives in JetStream; this row is its lasting record.
CREATE TABLE sessions (
    id         text PRIMARY KEY,
    game       text NOT NULL,
    code       text NOT NULL,
    -- SET NULL: retention may delete a guest player, but the history of the sessions it opened stays.
    created_by text REFERENCES players (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    closed_at  timestamptz
);

-- Looking up an open room by its code. Not UNIQUE on purpose: room codes are reused after a session closes,
-- and the JetStream directory (not this table) is what guarantees one open session per code. This table is a
-- projection of events that may arrive late or out of order across sessions, and a uniqueness violation here
-- would stall the projection instead of protecting anything.
CREATE INDEX sessions_open_code ON sessions (code) WHERE closed_at IS NULL;

-- "Sessions this player opened", and keeps ON DELETE SET NULL from scanning the whole table.
CREATE INDEX sessions_created_by ON sessions (created_by);
