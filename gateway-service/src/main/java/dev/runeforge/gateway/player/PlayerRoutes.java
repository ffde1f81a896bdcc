package dev.runeforge.gateway.player;

import java.util.Map;
import java.util.Objects;
import java.util.logging.Logger;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.session.SessionHistory;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.gateway.auth.Principal;
import dev.runeforge.gateway.rest.Api;
import dev.runeforge.gateway.rest.Requests;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code GET /api/players/me}: who the access token says the caller is, and their statistics from persistence. */
public final class PlayerRoutes {
    private static final Logger LOG = Logger.getLogger(PlayerRoutes.class.getName());

    private final Api api;
    private final Requests requests;
    private final Subjects subjects;

    public PlayerRoutes(Api api, Requests requests, Subjects subjects) {
        this.api = Objects.requireNonNull(api);
        this.requests = Objects.requireNonNull(requests);
        this.subjects = Objects.requireNonNull(subjects);
    }

    public void register(HttpRules rules) {
        rules.get("/api/players/me", api.signedIn(this::me));
    }

    /**
     * The identity comes from the token and is always answered; {@code stats} is null when persistence cannot
     * say right now (the profile page still shows who you are, and says the numbers are missing).
     */
    private void me(Principal who, ServerRequest req, ServerResponse res) {
        SessionHistory.Stats stats;
        try {
            stats = requests.request(subjects.dbStatsGet(), new SessionHistory.PlayerQuery(who.player()),
                    SessionHistory.Stats.class);
        } catch (RpcException e) {
            LOG.warning(() -> "statistics of " + who.player() + " unavailable: " + e.code() + " " + e.getMessage());
            stats = null;
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("id", who.player());
        body.put("name", who.name());
        body.set("roles", Json.tree(who.roles()));
        // Written out as null (the mapper leaves nulls out): the client tells "no numbers now" from "an old server".
        body.set("stats", stats == null ? NullNode.getInstance() : Json.tree(stats));
        Api.json(res, Status.OK_200, body);
    }
}
