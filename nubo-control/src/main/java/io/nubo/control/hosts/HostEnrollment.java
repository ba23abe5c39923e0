package io.nubo.control.hosts;

import io.nubo.control.identity.IdentityService;
import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.agent.HostRegistration;
import io.nubo.core.model.Principal;
import io.nubo.store.Database;
import io.nubo.store.HostEnrollments;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * How a remote agent becomes a host. An admin creates a join token ({@code njt-<id>.<secret>});
 * an agent exchanges it for a host credential ({@code nhc-<id>.<secret>}) bound to its host, and
 * authenticates every later call with that. A token may enrol several hosts until it expires or is
 * revoked; a credential stays valid until its host's credentials are revoked. Secrets are 256-bit
 * random values, stored only as SHA-256 digests and compared in constant time. Thread-safe.
 */
public final class HostEnrollment {
    public static final Duration DEFAULT_TTL = Duration.ofHours(24);
    public static final Duration MAX_TTL = Duration.ofDays(30);
    static final String TOKEN_PREFIX = "njt";
    static final String CREDENTIAL_PREFIX = "nhc";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database db;
    private final Clock clock;
    private final AgentGateway gateway;

    public HostEnrollment(Database db, Clock clock, AgentGateway gateway) {
        this.db = db;
        this.clock = clock;
        this.gateway = gateway;
    }

    /** A new token, whose secret is shown only here. */
    public record IssuedToken(String id, String token, Instant expiresAt) {
    }

    /** A token as an admin lists it: never its secret. */
    public record TokenInfo(String id, String createdBy, Instant createdAt, Instant expiresAt, String state) {
    }

    /** What a joining agent gets: its host and the credential for all its later calls. */
    public record Joined(String hostId, String credential) {
    }

    public IssuedToken createToken(Principal caller, Duration ttl) {
        IdentityService.requireAdmin(caller);
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "A join token lives more than 0 seconds and at most %d days",
                    MAX_TTL.toDays());
        }
        String id = Ids.next(TOKEN_PREFIX);
        String secret = secret();
        Instant now = clock.instant();
        Instant expires = now.plus(ttl);
        db.inTransaction(s -> {
            s.hostEnrollments().insertToken(id, sha256(secret), caller.accountId(), now, expires);
            s.events().append(now, null, id, "host.join-token", null, "created", "by " + caller.accessKeyId());
            return null;
        });
        return new IssuedToken(id, id + "." + secret, expires);
    }

    public List<TokenInfo> tokens(Principal caller) {
        IdentityService.requireAdmin(caller);
        Instant now = clock.instant();
        return db.read(s -> s.hostEnrollments().tokens()).stream().map(t -> new TokenInfo(t.id(), t.createdBy(), t.createdAt(),
                t.expiresAt(), t.revokedAt() != null ? "revoked" : t.usableAt(now) ? "active" : "expired")).toList();
    }

    public void revokeToken(Principal caller, String id) {
        IdentityService.requireAdmin(caller);
        if (!Ids.isWellFormed(TOKEN_PREFIX, id)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid join token id: \"%s\"", id);
        }
        db.inTransaction(s -> {
            s.hostEnrollments().findToken(id).orElseThrow(() -> NuboException.of(ErrorCode.INVALID_JOIN_TOKEN_ID_NOT_FOUND,
                    "The join token '%s' does not exist", id));
            if (s.hostEnrollments().revokeToken(id, clock.instant())) {
                s.events().append(clock.instant(), null, id, "host.join-token", "created", "revoked", "by " + caller.accessKeyId());
            }
            return null;
        });
    }

    /**
     * Enrols a new host with a join token. A name that is already registered is refused: a token
     * lets a machine join, not take over an existing host.
     */
    public Joined join(String token, HostRegistration registration) {
        String[] parts = split(token, TOKEN_PREFIX).orElseThrow(HostEnrollment::badToken);
        if (registration == null || registration.name() == null || registration.name().isBlank()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the host's registration with its name");
        }
        return db.inTransaction(s -> {
            HostEnrollments.JoinToken t = s.hostEnrollments().findToken(parts[0]).filter(x -> x.usableAt(clock.instant()))
                    .filter(x -> MessageDigest.isEqual(x.secretSha256(), sha256(parts[1]))).orElseThrow(HostEnrollment::badToken);
            if (s.hosts().list().stream().anyMatch(h -> h.name().equals(registration.name()))) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "A host named '%s' is already registered", registration.name());
            }
            String hostId = gateway.registerIn(s, registration);
            String credentialId = Ids.next(CREDENTIAL_PREFIX);
            String secret = secret();
            s.hostEnrollments().insertCredential(credentialId, hostId, sha256(secret), t.id(), clock.instant());
            s.events().append(clock.instant(), null, hostId, "host.joined", null, "up", "with join token " + t.id());
            return new Joined(hostId, credentialId + "." + secret);
        });
    }

    /** The host a credential belongs to; {@code AuthFailure} for anything else. */
    public String authenticate(String credential) {
        String[] parts = split(credential, CREDENTIAL_PREFIX).orElseThrow(HostEnrollment::badCredential);
        return db.read(s -> s.hostEnrollments().findCredential(parts[0])).filter(c -> c.revokedAt() == null)
                .filter(c -> MessageDigest.isEqual(c.secretSha256(), sha256(parts[1]))).map(HostEnrollments.Credential::hostId)
                .orElseThrow(HostEnrollment::badCredential);
    }

    /**
     * Re-registers an enrolled host (on every agent start, with its capacity then); the name must
     * be the one the host joined with.
     */
    public String register(String hostId, HostRegistration registration) {
        String name = db.read(s -> s.hosts().find(hostId)).orElseThrow(HostEnrollment::badCredential).name();
        if (registration == null || !name.equals(registration.name())) {
            throw NuboException.of(ErrorCode.UNAUTHORIZED_OPERATION, "This credential belongs to host '%s'", name);
        }
        return gateway.register(registration);
    }

    /** Revokes a host's credentials (admin): its agent can no longer call in. */
    public int revokeCredentials(Principal caller, String hostId) {
        IdentityService.requireAdmin(caller);
        return db.inTransaction(s -> {
            s.hosts().find(hostId).orElseThrow(() -> NuboException.of(ErrorCode.INVALID_HOST_ID_NOT_FOUND, "The host '%s' does not exist", hostId));
            int n = s.hostEnrollments().revokeCredentials(hostId, clock.instant());
            s.events().append(clock.instant(), null, hostId, "host.credentials", null, "revoked", "by " + caller.accessKeyId());
            return n;
        });
    }

    private static Optional<String[]> split(String value, String prefix) {
        if (value == null) {
            return Optional.empty();
        }
        int dot = value.indexOf('.');
        if (dot < 0 || !Ids.isWellFormed(prefix, value.substring(0, dot)) || dot == value.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(new String[] {value.substring(0, dot), value.substring(dot + 1)});
    }

    private static String secret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static NuboException badToken() {
        return NuboException.of(ErrorCode.AUTH_FAILURE, "The join token is not valid (unknown, expired or revoked)");
    }

    private static NuboException badCredential() {
        return NuboException.of(ErrorCode.AUTH_FAILURE, "The host credential is not valid");
    }
}
