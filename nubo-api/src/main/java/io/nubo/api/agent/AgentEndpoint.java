package io.nubo.api.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.nubo.api.Json;
import io.nubo.control.console.RemoteConsoles;
import io.nubo.control.hosts.AgentGateway;
import io.nubo.control.storage.StoragePoolService;
import io.nubo.control.hosts.HostEnrollment;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.agent.DesiredState;
import io.nubo.core.agent.HostRegistration;
import io.nubo.core.agent.HostReport;

import java.time.Duration;

/**
 * The agent protocol over HTTP/JSON (see {@link io.nubo.core.agent.AgentChannel}), for agents on
 * other machines. The agent starts every exchange: it joins once with an admin's join token, and
 * then authenticates each call with the host credential it got ({@code Authorization: Bearer
 * nhc-...}), which also names its host, so no call can speak for another host. An agent that does
 * not mount the pool an image is on streams the image's file from here ({@link ImageStreaming}).
 * Errors are the REST API's problem documents. Thread-safe.
 */
public final class AgentEndpoint {
    public static final String BASE = "/agent/v1";
    /** The largest body an agent may send: a complete report of a host with tens of thousands of VMs. */
    static final int MAX_BODY = 16 * 1024 * 1024;
    /** The longest a desired-state long-poll may wait; below the HTTP idle timeout. */
    static final Duration MAX_WAIT = Duration.ofSeconds(25);

    /** The body of a join: the token and the host's registration. */
    public record JoinRequest(String token, HostRegistration registration) {
    }

    /** Where the agent's host mounts the shared pool. */
    public record PoolMounts(String sharedMount) {
    }

    /** Where the agent's console port listens, and its key. */
    public record ConsoleAnnouncement(String address, Integer port, String key) {
        @Override
        public String toString() {
            return "ConsoleAnnouncement[" + address + ":" + port + "]";
        }
    }

    private final AgentGateway gateway;
    private final HostEnrollment enrollment;
    private final RemoteConsoles consoles;
    private final StoragePoolService pools;

    public AgentEndpoint(AgentGateway gateway, HostEnrollment enrollment, RemoteConsoles consoles, StoragePoolService pools) {
        this.gateway = gateway;
        this.enrollment = enrollment;
        this.consoles = consoles;
        this.pools = pools;
    }

    public void register(RoutesConfig routes) {
        routes.post(BASE + "/join", ctx -> {
            JoinRequest r = body(ctx, JoinRequest.class);
            json(ctx, 201, enrollment.join(r.token(), r.registration()));
        });
        routes.post(BASE + "/register", ctx -> {
            String host = host(ctx);
            json(ctx, 200, java.util.Map.of("hostId", enrollment.register(host, body(ctx, HostRegistration.class))));
        });
        routes.post(BASE + "/console", ctx -> {
            String host = host(ctx);
            ConsoleAnnouncement a = body(ctx, ConsoleAnnouncement.class);
            consoles.announce(host, a.address(), a.port(), a.key());
            ctx.status(204);
        });
        routes.post(BASE + "/pools", ctx -> {
            String host = host(ctx);
            pools.announceSharedMount(host, body(ctx, PoolMounts.class).sharedMount());
            ctx.status(204);
        });
        routes.post(BASE + "/heartbeat", ctx -> {
            gateway.heartbeat(host(ctx));
            ctx.status(204);
        });
        routes.get(BASE + "/desired", ctx -> {
            String host = host(ctx);
            long known = longParam(ctx, "known", -1);
            long waitMs = Math.min(longParam(ctx, "waitMs", 0), MAX_WAIT.toMillis());
            if (known < -1 || waitMs < 0) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "known must be -1 or more and waitMs not negative");
            }
            DesiredState d = gateway.awaitDesired(host, known, Duration.ofMillis(waitMs));
            json(ctx, 200, d);
        });
        routes.post(BASE + "/report", ctx -> {
            String host = host(ctx);
            gateway.report(host, body(ctx, HostReport.class));
            ctx.status(204);
        });
        routes.post(BASE + "/migration", ctx -> {
            String host = host(ctx);
            gateway.migrationUpdate(host, body(ctx, io.nubo.core.agent.MigrationUpdate.class));
            ctx.status(204);
        });
        routes.get(BASE + "/images/{imageId}", ctx -> {
            String host = host(ctx);
            ImageStreaming.send(ctx, gateway.imageFiles().fileFor(host, ctx.pathParam("imageId")));
        });
    }

    /** True for requests this endpoint answers. */
    public static boolean handles(Context ctx) {
        return ctx.path().startsWith(BASE + "/");
    }

    private String host(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw NuboException.of(ErrorCode.AUTH_FAILURE, "An agent call needs 'Authorization: Bearer <host credential>'");
        }
        return enrollment.authenticate(header.substring(7).trim());
    }

    private static <T> T body(Context ctx, Class<T> type) {
        try {
            byte[] bytes = ctx.req().getInputStream().readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw NuboException.of(ErrorCode.REQUEST_TOO_LARGE, "The request body is larger than %d bytes", MAX_BODY);
            }
            T value = bytes.length == 0 ? null : Json.MAPPER.readValue(bytes, type);
            if (value == null) {
                throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request needs a JSON body");
            }
            return value;
        } catch (java.io.IOException e) {
            throw NuboException.of(ErrorCode.INVALID_REQUEST, "The body is not a valid %s: %s", type.getSimpleName(),
                    e.getMessage() == null ? "malformed JSON" : e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static long longParam(Context ctx, String name, long fallback) {
        String v = ctx.queryParam(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "%s must be a whole number", name);
        }
    }

    private static void json(Context ctx, int status, Object value) throws JsonProcessingException {
        ctx.status(status).contentType("application/json").result(Json.MAPPER.writeValueAsBytes(value));
    }
}
