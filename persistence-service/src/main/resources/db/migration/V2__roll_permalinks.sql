-- Roll permalinks, projected from the events stream (dice events `rolled` and `roll_revealed`). The roll id is
-- the permalink id. (session, seq) is the event's place in its session log: a redelivered or replayed event hits
-- the same key and inserts nothing.
CREATE TABLE roll_permalinks (
    id          text PRIMARY KEY,
    session     text NOT NULL,
    seq         bigint NOT NULL,
    -- Kept for operators (which room was it?); never served: the public form has a digest of the session instead.
    room_code   text NOT NULL,
    formula     text NOT NULL,
    -- The normalised terms: [{sign, count, sides, notation, dice: [{value, kept, exploded}], subtotal}].
    terms       jsonb NOT NULL,
    modifier    integer NOT NULL,
    total       integer NOT NULL,
    dc          integer,
    passed      boolean,
    player_name text NOT NULL,
    rolled_at   timestamptz NOT NULL,
    revealed_at timestamptz,
    hidden      boolean NOT NULL,
    -- rolled_at + TTL, or revealed_at + TTL once a hidden roll is revealed; the cleanup deletes past it.
    expires_at  timestamptz NOT NULL,
    CONSTRAINT roll_permalinks_event UNIQUE (session, seq),
    CONSTRAINT roll_permalinks_dc CHECK ((dc IS NULL) = (passed IS NULL))
);

CREATE INDEX roll_permalinks_expires_at ON roll_permalinks (expires_at);

-- Reveals, kept apart from the rolls so that the order two events are projected in does not matter (several
-- replicas share the consumer): whichever of `rolled` and `roll_revealed` lands second applies the reveal.
CREATE TABLE roll_reveals (
    roll_id     text PRIMARY KEY,
    session     text NOT NULL,
    seq         bigint NOT NULL,
    revealed_at timestamptz NOT NULL,
    CONSTRAINT roll_reveals_event UNIQUE (session, seq)
);

CREATE INDEX roll_reveals_revealed_at ON roll_reveals (revealed_at);
