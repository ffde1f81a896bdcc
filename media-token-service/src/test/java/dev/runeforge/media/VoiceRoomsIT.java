package dev.runeforge.media;

import static dev.runeforge.media.VoiceTokenIT.API_KEY;
import static dev.runeforge.media.VoiceTokenIT.SECRET;
import static dev.runeforge.media.VoiceTokenIT.metrics;
import static dev.runeforge.media.VoiceTokenIT.summary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.media.Voice;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.common.session.SessionSummary;
import dev.runeforge.testsupport.TestBus;
import dev.runeforge.testsupport.TestNats;
import io.nats.client.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * LiveKit rooms follow the session directory: created (with our limits) when a session opens, deleted when it closes,
 * a kicked player removed. LiveKit's RoomService is {@link TwirpRoomService}, a local HTTP endpoint speaking its Twirp
 * shape (the media server itself cannot run here). The tests write the session summaries into the KV bucket
 * themselves, standing in for the game instance that owns each session.
 */
class VoiceRoomsIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SESSION = "feedfacefeedfacefeedfacefeedface";

    @RegisterExtension
    final TestBus bus = new TestBus();
    private String room;
    private TwirpRoomService livekit;

    @BeforeEach
    void start() throws Exception {
        room = bus.namespace() + "-" + SESSION;
        livekit = new TwirpRoomService(API_KEY, SECRET);
    }

    @AfterEach
    void stop() throws Exception {
        livekit.close();
    }

    private ServiceRuntime.Running startService(String url) throws Exception {
        Map<String, String> config = new HashMap<>(Map.of("bus.namespace", bus.namespace(),
                "admin.host", "127.0.0.1", "admin.port", "0",
                "livekit.url", url, "livekit.api.key", API_KEY, "livekit.api.secret", SECRET,
                "livekit.room.max.participants", "6", "livekit.room.empty.timeout", "PT120S",
                "livekit.call.timeout", "PT2S"));
        return Main.start(ServiceConfig.load(TestNats.service(Main.SERVICE, config)));
    }

    private void put(SessionSummary summary) throws Exception {
        KeyValue sessions = bus.nc().keyValue(bus.subjects().sessionsBucket());
        sessions.put(summary.session(), Json.bytes(summary));
    }

    @Test
    void aSessionsRoomIsCreatedWithOurLimitsAKickedPlayerRemovedAndTheRoomDeletedWhenItCloses() throws Exception {
        try (ServiceRuntime.Running running = startService(livekit.url())) {
            put(summary(SESSION, "host-1", List.of("host-1", "p-2", "p-3"), List.of(), false, 1));
            await(() -> livekit.rooms.containsKey(room), "room created");
            TwirpRoomService.Call create = livekit.calls("CreateRoom").getFirst();
            assertEquals(Boolean.TRUE, create.video().get("roomCreate"), "the SDK authenticates with roomCreate");
            TwirpRoomService.RoomState state = livekit.rooms.get(room);
            assertEquals(6, state.maxParticipants(), "max participants from config");
            assertEquals(120, state.emptyTimeout(), "empty timeout from config (seconds)");

            // A summary that changes nothing about the room (a roll) calls LiveKit for nothing.
            put(summary(SESSION, "host-1", List.of("host-1", "p-2", "p-3"), List.of(), false, 2));
            livekit.join(room, "p-2");
            livekit.join(room, "p-3");
            put(summary(SESSION, "host-1", List.of("host-1", "p-2"), List.of("p-3"), false, 3));
            await(() -> !livekit.calls("RemoveParticipant").isEmpty(), "the kicked player removed");
            TwirpRoomService.Call remove = livekit.calls("RemoveParticipant").getFirst();
            assertEquals(room, remove.room());
            assertEquals("p-3", remove.identity());
            assertEquals(Boolean.TRUE, remove.video().get("roomAdmin"));
            assertEquals(Set.of("p-2"), livekit.rooms.get(room).participants(), "the others stay");

            put(summary(SESSION, "host-1", List.of(), List.of("p-3"), true, 4));
            await(() -> !livekit.rooms.containsKey(room), "room deleted");

            assertEquals(List.of("CreateRoom " + room, "RemoveParticipant " + room + " p-3", "DeleteRoom " + room),
                    TwirpRoomService.names(livekit.calls), "one call per change, in the directory's order");
            // Each is counted once LiveKit has answered, just after the fake changed its rooms.
            await(() -> metric(running, "rf_media_room_deletions_total") == 1.0, "the deletion counted");
            Map<String, Double> m = metrics(running.adminPort());
            assertEquals(1.0, m.get("rf_media_room_creations_total"));
            assertEquals(1.0, m.get("rf_media_participants_removed_total"));
            assertEquals(1.0, m.get("rf_media_room_deletions_total"));
            assertEquals(0.0, m.get("rf_media_livekit_errors_total{operation=\"create_room\"}"));
        }
    }

    @Test
    void sessionsAlreadyOpenWhenTheServiceStartsGetTheirRoomsAndADeletedSummaryDeletesTheRoom() throws Exception {
        bus.nc().keyValueManagement().create(io.nats.client.api.KeyValueConfiguration.builder()
                .name(bus.subjects().sessionsBucket()).maxHistoryPerKey(1).build());
        put(summary(SESSION, "host-1", List.of("host-1"), List.of(), false, 7));
        try (ServiceRuntime.Running ignored = startService(livekit.url())) {
            await(() -> livekit.rooms.containsKey(room), "room created on replay");
            bus.nc().keyValue(bus.subjects().sessionsBucket()).delete(SESSION);
            await(() -> !livekit.rooms.containsKey(room), "room deleted with the summary");
        }
    }

    @Test
    void liveKitErrorsAreCountedTheCreateIsRetriedOnTheNextSummaryAndTokensStillFlow() throws Exception {
        livekit.failing = true;
        try (ServiceRuntime.Running running = startService(livekit.url())) {
            put(summary(SESSION, "host-1", List.of("host-1"), List.of(), false, 1));
            await(() -> metric(running, "rf_media_livekit_errors_total{operation=\"create_room\"}") == 1.0,
                    "the failed create counted");
            Voice.Token token = Rpc.request(bus.nc(), bus.subjects().mediaToken(),
                    new Voice.TokenRequest("host-1", SESSION), Voice.Token.class, WAIT);
            assertEquals(room, token.room(), "a token does not wait for LiveKit");

            livekit.failing = false;
            put(summary(SESSION, "host-1", List.of("host-1", "p-2"), List.of(), false, 2));
            await(() -> livekit.rooms.containsKey(room), "created on the next summary");
            // Counted once LiveKit has answered, which is just after the fake stored the room.
            await(() -> metric(running, "rf_media_room_creations_total") == 1.0, "the creation counted");
        }
    }

    @Test
    void anUnreachableLiveKitIsCountedAndNeverStopsTheService() throws Exception {
        try (ServiceRuntime.Running running = startService("http://127.0.0.1:1")) {
            put(summary(SESSION, "host-1", List.of("host-1"), List.of(), false, 1));
            await(() -> metric(running, "rf_media_livekit_errors_total{operation=\"create_room\"}") == 1.0,
                    "the failed create counted");
            put(summary(SESSION, "host-1", List.of(), List.of(), true, 2));
            await(() -> metric(running, "rf_media_livekit_errors_total{operation=\"delete_room\"}") == 1.0,
                    "the failed delete counted");
            assertEquals("configured", Rpc.request(bus.nc(), bus.subjects().mediaPing(), Map.of(),
                    Main.PingReply.class, WAIT).livekit());
        }
    }

    private static double metric(ServiceRuntime.Running running, String key) {
        try {
            return metrics(running.adminPort()).getOrDefault(key, -1.0);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " within " + WAIT);
            Thread.sleep(20);
        }
    }
}
