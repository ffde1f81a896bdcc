-- Session history, projected from the events stream by the durable consumer `archive` (persistence-service,
-- archive.ArchiveStore). Game-agnostic: what a game adds to statistics, and who is in a session, ride on the
-- stored commits as NATS headers (Rf-Game, Rf-Tally, Rf-Session; docs/architecture.md, Session history).

-- Every stored event, as stored (unredacted: hidden rolls whole). Served only on the bus to trusted services
-- (<ns>.db.events.list), which redact per viewer (<ns>.game.replay). (session, seq) is the event's place in its
-- session's log: a redelivered or replayed commit inserts nothing, and adds nothing to player_stats.
CREATE TABLE session_events (
    session text NOT NULL,
    seq     bigint NOT NULL,
    game    text NOT NULL,
    type    text,
    body    jsonb NOT NULL,
    at      timestamptz NOT NULL,
    PRIMARY KEY (session, seq)
);

-- The V1 sessions table becomes the lasting copy of the session directory (SessionSummary). `code` is null
-- for a session first seen closed; `closed_at` is set once the session has closed. `summary_seq` is the seq of
-- the summary the row reflects (older ones arriving late are ignored); `last_seq` the newest archived event.
ALTER TABLE sessions
    ALTER COLUMN code DROP NOT NULL,
    ADD COLUMN host        text,
    ADD COLUMN barred      jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN updated_at  timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN last_seq    bigint NOT NULL DEFAULT 0,
    ADD COLUMN summary_seq bigint NOT NULL DEFAULT 0;

-- Everyone who was ever in a session: `left_at` is null while they are a member (a closed session keeps its
-- last members current), set when they left or were removed, cleared again if they come back.
CREATE TABLE session_members (
    session   text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    player    text NOT NULL,
    name      text NOT NULL,
    -- The member's place in the session's joining order (the summary's list), for listing members in order.
    ord       integer NOT NULL,
    joined_at timestamptz NOT NULL,
    left_at   timestamptz,
    PRIMARY KEY (session, player)
);

-- "My sessions": a player's rows, then their sessions newest first.
CREATE INDEX session_members_player ON session_members (player);
CREATE INDEX sessions_updated_at ON sessions (updated_at DESC);

-- Lifetime statistics per player, added to exactly once per archived event (in the transaction that archives it).
CREATE TABLE player_stats (
    player         text PRIMARY KEY,
    rolls          bigint NOT NULL DEFAULT 0,
    natural_20s    bigint NOT NULL DEFAULT 0,
    encounters_won bigint NOT NULL DEFAULT 0
);
