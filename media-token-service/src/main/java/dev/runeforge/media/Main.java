package dev.runeforge.media;

import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.config.ServiceConfig;
import dev.runeforge.common.logging.Logging;
import dev.runeforge.common.service.ServiceRuntime;
import dev.runeforge.common.telemetry.Telemetry;
import io.helidon.config.Config;
import io.nats.service.Group;
import io.nats.service.Service;

/**
 * media-token-service: will hand out LiveKit access tokens with per-session grants ({@code rf.media.*}). For now
 * it only answers {@code ping}, so the deployment, probes and bus wiring exist before LiveKit does.
 */
public final class Main {
    public static final String SERVICE = "media-token-service";

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Logging.init(SERVICE);
        start(ServiceConfig.load()).shutdown().onSignal();
    }

    /** Reply of {@code rf.media.ping}; {@code livekit} says whether a LiveKit server is configured. */
    public record PingReply(boolean ok, String livekit) {
    }

    public static ServiceRuntime.Running start(Config config) throws Exception {
        return start(config, Telemetry.fromEnvironment(SERVICE));
    }

    /** As {@link #start(Config)}, traced with {@code telemetry} (tests pass an in-memory one). */
    public static ServiceRuntime.Running start(Config config, Telemetry telemetry) throws Exception {
        ServiceRuntime rt = ServiceRuntime.open(SERVICE, config, telemetry);
        MediaMetrics.register(rt.admin().registry());
        Service service = rt.service("media", "Rune Forge voice/video: LiveKit access tokens",
                Rpc.endpoint(rt.nats(), new Group(rt.subjects().mediaGroup()), "ping",
                        data -> new PingReply(true, "not-configured")));
        return rt.run(9084, service::stop, null);
    }
}
