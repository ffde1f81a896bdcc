-- Saved encounters: ten numbered slots per player, each a game's create settings (`data`, opaque here: the game
-- validates it when a session is created from the save). No foreign key to players: guests are not rows there.
CREATE TABLE saves (
    player  text NOT NULL,
    slot    smallint NOT NULL CHECK (slot BETWEEN 1 AND 10),
    name    text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    game    text NOT NULL,
    data    jsonb NOT NULL,
    created timestamptz NOT NULL DEFAULT now(),
    updated timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (player, slot)
);
