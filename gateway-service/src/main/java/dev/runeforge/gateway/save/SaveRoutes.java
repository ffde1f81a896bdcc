package dev.runeforge.gateway.save;

import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.common.save.Saves;
import dev.runeforge.gateway.auth.Principal;
import dev.runeforge.gateway.rest.Api;
import dev.runeforge.gateway.rest.ApiException;
import dev.runeforge.gateway.rest.Requests;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /api/saves}: the caller's ten save slots, kept by persistence-service ({@code <ns>.db.saves.*}). A save
 * is an encounter to load into a new session ({@code POST /api/sessions {"save": slot}}): a name, a game the
 * platform hosts, and that game's create settings, which only the game reads. Every request names the caller's
 * own player, so another player's saves can never be reached from here.
 */
public final class SaveRoutes {
    /** The body of a save: its data plus a little envelope. */
    static final int MAX_BODY = Saves.MAX_DATA_BYTES + 4096;

    private final Api api;
    private final Requests requests;
    private final Subjects subjects;
    private final Supplier<Set<String>> games;

    /** @param games the game ids the platform hosts ({@link HostedGames}); a save of any other is refused */
    public SaveRoutes(Api api, Requests requests, Subjects subjects, Supplier<Set<String>> games) {
        this.api = Objects.requireNonNull(api);
        this.requests = Objects.requireNonNull(requests);
        this.subjects = Objects.requireNonNull(subjects);
        this.games = Objects.requireNonNull(games);
    }

    public void register(HttpRules rules) {
        rules.get("/api/saves", api.signedIn(this::list))
                .post("/api/saves", api.signedIn(this::add))
                .get("/api/saves/{slot}", api.signedIn(this::get))
                .put("/api/saves/{slot}", api.signedIn(this::put))
                .delete("/api/saves/{slot}", api.signedIn(this::delete));
    }

    /** {@code POST} and {@code PUT} body. */
    record SaveRequest(String name, String game, JsonNode data) {
    }

    private void list(Principal who, ServerRequest req, ServerResponse res) {
        Api.json(res, Status.OK_200, requests.request(subjects.dbSavesList(), new Saves.Owner(who.player()),
                Saves.Listing.class));
    }

    private void get(Principal who, ServerRequest req, ServerResponse res) {
        Api.json(res, Status.OK_200, requests.request(subjects.dbSavesGet(), new Saves.Slot(who.player(), slot(req)),
                Saves.Save.class));
    }

    /** Into the first free slot: 201 with its number, or 409 SAVES_FULL. */
    private void add(Principal who, ServerRequest req, ServerResponse res) {
        Saves.Save saved = requests.request(subjects.dbSavesPut(), put(who, null, req), Saves.Save.class);
        res.header(HeaderNames.LOCATION, "/api/saves/" + saved.slot());
        Api.json(res, Status.CREATED_201, saved.withoutData());
    }

    /** Creates (201) or replaces (200) that slot. */
    private void put(Principal who, ServerRequest req, ServerResponse res) {
        int slot = slot(req);
        Saves.Save saved = requests.request(subjects.dbSavesPut(), put(who, slot, req), Saves.Save.class);
        Api.json(res, saved.created() == saved.updated() ? Status.CREATED_201 : Status.OK_200, saved.withoutData());
    }

    private void delete(Principal who, ServerRequest req, ServerResponse res) {
        requests.request(subjects.dbSavesDelete(), new Saves.Slot(who.player(), slot(req)), java.util.Map.class);
        res.status(Status.NO_CONTENT_204).send();
    }

    private Saves.Put put(Principal who, Integer slot, ServerRequest req) {
        SaveRequest body = Api.object(req, MAX_BODY, SaveRequest.class);
        if (body.data() != null && Json.bytes(body.data()).length > Saves.MAX_DATA_BYTES) {
            throw new ApiException(Status.REQUEST_ENTITY_TOO_LARGE_413, ErrorCodes.BODY_TOO_LARGE,
                    "data is larger than " + Saves.MAX_DATA_BYTES / 1024 + " KiB");
        }
        Saves.Put put;
        try {
            put = new Saves.Put(who.player(), slot, body.name(), body.game(), body.data());
        } catch (IllegalArgumentException e) {
            throw Api.badRequest(e.getMessage());
        }
        Set<String> hosted = games.get();
        if (!hosted.contains(put.game())) {
            throw new ApiException(Status.BAD_REQUEST_400, ErrorCodes.UNKNOWN_GAME,
                    "no game called '" + put.game() + "' here; games: " + String.join(", ", hosted.stream().sorted().toList()));
        }
        return put;
    }

    private static int slot(ServerRequest req) {
        String raw = req.path().pathParameters().get("slot");
        int slot;
        try {
            slot = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            slot = 0;
        }
        if (slot < 1 || slot > Saves.SLOTS) {
            throw Api.badRequest("a save slot is a number from 1 to " + Saves.SLOTS);
        }
        return slot;
    }
}
