package dev.runeforge.auth.oidc;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.logging.Logger;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.runeforge.common.bus.RpcException;
import dev.runeforge.common.player.DisplayNames;
import dev.runeforge.common.protocol.ErrorCodes;

/**
 * An OpenID Connect relying party for any compliant provider: discovery (once, then cached), authorization code
 * with PKCE S256, {@code state} and {@code nonce} kept server-side ({@link LoginStates}), and the ID token checked
 * against the provider's JWKS for signature (asymmetric algorithms the provider advertises), issuer, audience,
 * expiry and nonce (Nimbus {@link IDTokenValidator}).
 */
public final class OidcRelyingParty {
    private static final Logger LOG = Logger.getLogger(OidcRelyingParty.class.getName());
    private static final int TIMEOUT_MS = 5_000;
    /** Never HMAC (the client secret as key) and never "none". */
    private static final Set<JWSAlgorithm> ASYMMETRIC = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384,
            JWSAlgorithm.ES512, JWSAlgorithm.Ed25519, JWSAlgorithm.EdDSA);

    public record Settings(URI issuer, String clientId, String clientSecret, URI redirectUri, List<String> scopes) {
        public Settings {
            Objects.requireNonNull(issuer);
            Objects.requireNonNull(clientId);
            Objects.requireNonNull(redirectUri);
            scopes = List.copyOf(scopes);
            if (!scopes.contains("openid")) {
                throw new IllegalArgumentException("auth.oidc.scopes must include openid");
            }
        }

        @Override
        public String toString() {
            return "Settings[issuer=" + issuer + ", clientId=" + clientId + ", redirectUri=" + redirectUri + "]";
        }
    }

    /** What a verified ID token says about the person. */
    public record Identity(String issuer, String subject, String name, String email) {
    }

    private record Provider(OIDCProviderMetadata metadata, IDTokenValidator validator) {
    }

    private final Settings settings;
    private final LoginStates states;
    private final Clock clock;
    private volatile Provider provider;

    public OidcRelyingParty(Settings settings, LoginStates states, Clock clock) {
        this.settings = Objects.requireNonNull(settings);
        this.states = Objects.requireNonNull(states);
        this.clock = Objects.requireNonNull(clock);
    }

    /** The provider's metadata and a validator over its JWKS, discovered on first use (the provider may start later). */
    private Provider provider() {
        Provider p = provider;
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (provider == null) {
                provider = discover();
            }
            return provider;
        }
    }

    private Provider discover() {
        try {
            Issuer issuer = new Issuer(settings.issuer());
            OIDCProviderMetadata meta = OIDCProviderMetadata.resolve(issuer, TIMEOUT_MS, TIMEOUT_MS);
            Set<JWSAlgorithm> algs = new java.util.HashSet<>(meta.getIDTokenJWSAlgs() == null
                    ? List.of(JWSAlgorithm.RS256) : meta.getIDTokenJWSAlgs());
            algs.retainAll(ASYMMETRIC);
            if (algs.isEmpty()) {
                throw new RpcException(ErrorCodes.UNAVAILABLE, "the sign-in provider offers no asymmetric ID token signature");
            }
            URL jwks = meta.getJWKSetURI().toURL();
            var keys = JWKSourceBuilder.<SecurityContext>create(jwks, new DefaultResourceRetriever(TIMEOUT_MS, TIMEOUT_MS, 512 * 1024))
                    .build();
            IDTokenValidator validator = new IDTokenValidator(meta.getIssuer(), new ClientID(settings.clientId()),
                    new JWSVerificationKeySelector<>(algs, keys), null);
            validator.setMaxClockSkew(60);
            LOG.info(() -> "OIDC provider " + meta.getIssuer() + " discovered (ID token algorithms " + algs + ")");
            return new Provider(meta, validator);
        } catch (GeneralException | IOException e) {
            LOG.warning(() -> "OIDC discovery of " + settings.issuer() + " failed: " + e.getMessage());
            throw new RpcException(ErrorCodes.UNAVAILABLE, "the sign-in provider cannot be reached; try again shortly");
        }
    }

    /** The provider URL to send the browser to; {@code linkGuest} is remembered with the state. */
    public dev.runeforge.common.auth.OidcMessages.Redirect begin(String linkGuest) {
        Provider p = provider();
        State state = new State();
        Nonce nonce = new Nonce();
        CodeVerifier verifier = new CodeVerifier();
        states.put(state.getValue(), new LoginStates.Pending(verifier.getValue(), nonce.getValue(), linkGuest,
                clock.instant().toEpochMilli()));
        AuthenticationRequest request = new AuthenticationRequest.Builder(ResponseType.CODE,
                new Scope(settings.scopes().toArray(String[]::new)), new ClientID(settings.clientId()), settings.redirectUri())
                .endpointURI(p.metadata().getAuthorizationEndpointURI())
                .state(state)
                .nonce(nonce)
                .codeChallenge(verifier, CodeChallengeMethod.S256)
                .build();
        return new dev.runeforge.common.auth.OidcMessages.Redirect(request.toURI().toString(), state.getValue());
    }

    /** What the provider's callback proves, and the guest to link; fails UNAUTHORIZED on anything off. */
    public record Finished(Identity identity, String linkGuest) {
    }

    public Finished finish(String code, String state) {
        if (code == null || code.isBlank() || code.length() > 2048 || state == null || state.length() > 256) {
            throw refused("the sign-in answer is incomplete");
        }
        LoginStates.Pending pending = states.take(state)
                .orElseThrow(() -> refused("this sign-in expired or was already used; start again"));
        Provider p = provider();
        var grant = new AuthorizationCodeGrant(new AuthorizationCode(code), settings.redirectUri(),
                new CodeVerifier(pending.verifier()));
        ClientID client = new ClientID(settings.clientId());
        // A confidential client authenticates with HTTP Basic; a public one (no secret) relies on PKCE alone.
        TokenRequest request = settings.clientSecret() == null || settings.clientSecret().isEmpty()
                ? new TokenRequest(p.metadata().getTokenEndpointURI(), client, grant)
                : new TokenRequest(p.metadata().getTokenEndpointURI(),
                        new ClientSecretBasic(client, new Secret(settings.clientSecret())), grant);
        TokenResponse response;
        try {
            HTTPRequest http = request.toHTTPRequest();
            http.setConnectTimeout(TIMEOUT_MS);
            http.setReadTimeout(TIMEOUT_MS);
            response = OIDCTokenResponseParser.parse(http.send());
        } catch (IOException e) {
            throw new RpcException(ErrorCodes.UNAVAILABLE, "the sign-in provider cannot be reached; try again shortly");
        } catch (ParseException e) {
            throw refused("the sign-in provider answered something unreadable");
        }
        if (!response.indicatesSuccess()) {
            var error = response.toErrorResponse().getErrorObject();
            LOG.info(() -> "OIDC token request refused: " + error.getCode());
            throw refused("the sign-in provider refused the sign-in");
        }
        var idToken = ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens().getIDToken();
        IDTokenClaimsSet claims;
        try {
            claims = p.validator().validate(idToken, new Nonce(pending.nonce()));
        } catch (BadJOSEException | JOSEException e) {
            LOG.info(() -> "OIDC ID token refused: " + e.getMessage());
            throw refused("the sign-in provider's ID token did not verify");
        }
        return new Finished(new Identity(claims.getIssuer().getValue(), claims.getSubject().getValue(),
                displayName(claims), claims.getStringClaim("email")), pending.linkGuest());
    }

    /**
     * A display name others may see: name, preferred_username or given_name, cut to what the display-name rule
     * allows ({@link DisplayNames#sanitize}).
     */
    static String displayName(IDTokenClaimsSet claims) {
        for (String claim : List.of("name", "preferred_username", "given_name")) {
            String cleaned = DisplayNames.sanitize(claims.getStringClaim(claim), null);
            if (cleaned != null) {
                return cleaned;
            }
        }
        return "Player";
    }

    private static RpcException refused(String message) {
        return new RpcException(ErrorCodes.UNAUTHORIZED, message);
    }
}
