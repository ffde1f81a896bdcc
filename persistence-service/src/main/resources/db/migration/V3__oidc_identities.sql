-- Identities at OpenID Connect providers, each linked to one platform player. A player signs in with one
-- provider identity; a guest who signs in keeps their player id (the guest's row becomes kind 'oidc').
CREATE TABLE oidc_identities (
    issuer     text NOT NULL,
    subject    text NOT NULL,
    player_id  text NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    email      text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, subject)
);

CREATE INDEX oidc_identities_player ON oidc_identities (player_id);
