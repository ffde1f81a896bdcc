package dev.runeforge.media;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The metric names media-token-service exports for LiveKit, registered now (at zero) so the alert rules and the
 * LiveKit dashboard in deploy/observability have their series before the voice issue wires LiveKit in. That
 * work increments them: {@link #tokensIssued} per access token handed out, {@link #livekitErrors} per failed
 * LiveKit call, tagged with the operation ({@code token}, {@code room_service}, {@code webhook}).
 */
final class MediaMetrics {
    static final String TOKENS_ISSUED = "rf_media_tokens_issued_total";
    static final String LIVEKIT_ERRORS = "rf_media_livekit_errors_total";
    static final String[] OPERATIONS = {"token", "room_service", "webhook"};

    private MediaMetrics() {
    }

    static void register(MeterRegistry registry) {
        Counter.builder(TOKENS_ISSUED).description("LiveKit access tokens issued").register(registry);
        for (String operation : OPERATIONS) {
            Counter.builder(LIVEKIT_ERRORS).tag("operation", operation)
                    .description("LiveKit calls that failed").register(registry);
        }
    }
}
