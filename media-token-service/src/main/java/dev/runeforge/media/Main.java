package dev.runeforge.media;

import java.time.Clock;
import java.util.Optional;
import java.util.logging.Logger;

import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.SessionsBucket;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.logging.Logging;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.common.telemetry.Telemetry;
import io.nats.client.KeyValue;
import io.nats.client.impl.NatsKeyValueWatchSubscription;
import io.nats.service.Group;
import io.nats.service.Service;

/**
 * media-token-service: LiveKit access tokens for members of a session ({@code rf.media.token}), and the session's
 * LiveKit room kept in step with the session directory (created when it opens, deleted when it closes, kicked
 * players removed). Without {@code livekit.url} it still runs: tokens are refused with LIVEKIT_NOT_CONFIGURED.
 */
public final class Main {
    public static final String SERVICE = "media-token-service";
    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) {
        Logging.init(SERVICE);
        ServiceRuntime.main(SERVICE, () -> start(ServiceConfig.load()).shutdown());
    }

    /** Reply of {@code rf.media.ping}; {@code livekit} says whether a LiveKit server is configured. */
    public record PingReply(boolean ok, String livekit) {
    }

    public static ServiceRuntime.Running start(ServiceConfig config) throws Exception {
        return start(config, Telemetry.fromEnvironment(SERVICE));
    }

    /** As {@link #start(ServiceConfig)}, traced with {@code telemetry} (tests pass an in-memory one). */
    public static ServiceRuntime.Running start(ServiceConfig config, Telemetry telemetry) throws Exception {
        MediaSettings settings = MediaSettings.read(config);
        ServiceRuntime rt = ServiceRuntime.open(SERVICE, config, settings.runtime(), telemetry);
        Subjects subjects = rt.subjects();
        MediaMetrics metrics = new MediaMetrics(rt.admin().registry());
        Optional<LiveKitSettings> livekit = settings.livekit();
        LOG.info(() -> livekit.map(s -> "LiveKit at " + s.url() + " (browsers: " + s.publicUrl() + "), api key "
                + s.apiKey()).orElse("LiveKit is not configured (livekit.url): voice is off"));

        // The game instances write this bucket; create-if-absent so this service can start first.
        KeyValue sessions = NatsClients.ensureSessions(rt.nats(), subjects, settings.runtime().replicas(),
                settings.sessionsTtl());
        SessionsBucket summaries = SessionsBucket.of(sessions);
        RoomNames names = new RoomNames(subjects.namespace());
        VoiceTokens tokens = new VoiceTokens(livekit, summaries::find, names, metrics, Clock.systemUTC());

        NatsKeyValueWatchSubscription watch = null;
        if (livekit.isPresent()) {
            LiveKitRooms rooms = new LiveKitRooms(livekit.get(), metrics, settings.callTimeout());
            watch = summaries.watch(new RoomLifecycle(rooms, names, Clock.systemUTC()));
        }

        Group group = new Group(subjects.mediaGroup());
        String state = livekit.isPresent() ? "configured" : "not-configured";
        Service service = rt.service("media", "Rune Forge voice/video: LiveKit access tokens",
                Rpc.endpoint(rt.nats(), group, "ping", data -> new PingReply(true, state)),
                Rpc.endpoint(rt.nats(), group, "token", tokens::handle));
        NatsKeyValueWatchSubscription stopWatch = watch;
        return rt.run(() -> {
            service.stop();
            if (stopWatch != null) {
                stopWatch.unsubscribe();
            }
        }, null);
    }
}
