package dev.runeforge.gateway.auth;

import java.text.ParseException;
import java.time.Duration;
import java.util.Map;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.runeforge.common.bus.Rpc;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.bus.Subjects;
import io.nats.client.Connection;

/**
 * Fetches auth-service's JWKS over NATS ({@code rf.auth.jwks}). Nimbus's {@code JWKSourceBuilder} wraps it with
 * caching, refetch on an unknown {@code kid} and rate limiting, so this class only knows how to ask.
 */
final class NatsJwkSetSource implements JWKSetSource<SecurityContext> {
    private final Connection nc;
    private final Subjects subjects;

    NatsJwkSetSource(Connection nc, Subjects subjects) {
        this.nc = nc;
        this.subjects = subjects;
    }

    @Override
    @SuppressWarnings("unchecked")
    public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime, SecurityContext context)
            throws KeySourceException {
        try {
            Map<String, Object> json = Rpc.request(nc, subjects.authJwks(), Map.of(), Map.class, Duration.ofSeconds(2));
            return JWKSet.parse(json);
        } catch (RpcException e) {
            throw new KeySourceException("JWKS unavailable: " + e.getMessage(), e);
        } catch (ParseException e) {
            throw new KeySourceException("JWKS unreadable: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
    }
}
