package dev.runeforge.persistence.player;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.UUID;

import javax.sql.DataSource;

import dev.runeforge.common.player.OidcProfile;
import dev.runeforge.persistence.Sql;

/**
 * Players and their OIDC identities (V1 players, V3 oidc_identities). One transaction per sign-in: an identity
 * seen before maps to its player (name refreshed); a new identity links to the signing-in guest when there is one
 * and that player id is not already someone's account, else it gets a new player.
 */
public final class PlayerStore {
    private final DataSource db;

    public PlayerStore(DataSource db) {
        this.db = Objects.requireNonNull(db);
    }

    public OidcProfile.Player upsert(OidcProfile p) throws SQLException {
        return Sql.transaction(db, c -> upsert(c, p));
    }

    private static OidcProfile.Player upsert(Connection c, OidcProfile p) throws SQLException {
        // Serialises sign-ins of one identity (two tabs finishing at once) without a table lock.
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))")) {
            lock.setString(1, p.issuer());
            lock.setString(2, p.subject());
            lock.execute();
        }
        String known = null;
        try (PreparedStatement q = c.prepareStatement("SELECT player_id FROM oidc_identities WHERE issuer = ? AND subject = ?")) {
            q.setString(1, p.issuer());
            q.setString(2, p.subject());
            try (ResultSet rs = q.executeQuery()) {
                if (rs.next()) {
                    known = rs.getString(1);
                }
            }
        }
        if (known != null) {
            try (PreparedStatement u = c.prepareStatement(
                    "UPDATE players SET display_name = ?, last_seen_at = now() WHERE id = ?")) {
                u.setString(1, p.name());
                u.setString(2, known);
                u.executeUpdate();
            }
            return new OidcProfile.Player(known, p.name(), "oidc", false);
        }
        String id = null;
        boolean linked = false;
        if (p.linkGuest() != null && linkable(c, p.linkGuest())) {
            id = p.linkGuest();
            linked = true;
        }
        if (id == null) {
            id = "u-" + UUID.randomUUID().toString().replace("-", "");
        }
        try (PreparedStatement u = c.prepareStatement("""
                INSERT INTO players (id, display_name, kind, last_seen_at) VALUES (?, ?, 'oidc', now())
                ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name, kind = 'oidc', last_seen_at = now()""")) {
            u.setString(1, id);
            u.setString(2, p.name());
            u.executeUpdate();
        }
        try (PreparedStatement i = c.prepareStatement(
                "INSERT INTO oidc_identities (issuer, subject, player_id, email) VALUES (?, ?, ?, ?)")) {
            i.setString(1, p.issuer());
            i.setString(2, p.subject());
            i.setString(3, id);
            i.setString(4, p.email());
            i.executeUpdate();
        }
        return new OidcProfile.Player(id, p.name(), "oidc", linked);
    }

    /** A guest id may become an account only once: not when any identity is linked to it already. */
    private static boolean linkable(Connection c, String guest) throws SQLException {
        if (!guest.startsWith("g-")) {
            return false;
        }
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM oidc_identities WHERE player_id = ?")) {
            q.setString(1, guest);
            try (ResultSet rs = q.executeQuery()) {
                return !rs.next();
            }
        }
    }
}
