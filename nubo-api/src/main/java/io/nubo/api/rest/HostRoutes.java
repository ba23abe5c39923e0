package io.nubo.api.rest;

import io.javalin.http.HandlerType;
import io.nubo.control.ControlPlane;
import io.nubo.control.hosts.HostEnrollment;
import io.nubo.control.hosts.HostService;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.nubo.api.rest.RestRoutes.route;

/** The operator's REST routes for enrolling hosts: join tokens and host credentials. */
final class HostRoutes {
    private HostRoutes() {
    }

    /** The body of a new join token: how long it lives (default one day). */
    public record CreateJoinToken(Long ttlSeconds) {
    }

    /** How the scheduler orders a zone's hosts. */
    public record SetWeigher(String zone, String weigher) {
    }

    /** A host after an operator's action. */
    public record HostChanged(Views.HostView host, long instancesLeft) {
    }

    private static Route hostAction(HostService hosts, String verb, HostService.AdminAction action, String operationId, String summary) {
        return route(HandlerType.POST, "/hosts/{hostId}/" + verb, operationId, summary, true, 200, Bodies.Empty.class, List.of(),
                c -> {
                    c.body(Bodies.Empty.class);
                    HostService.Changed changed = hosts.act(c.principal(), c.path("hostId"), action);
                    return new HostChanged(Views.host(changed.host(), hosts.usageOf(c.principal(), changed.host().id())), changed.instancesLeft());
                });
    }

    static List<Route> all(ControlPlane cp) {
        var enrollment = cp.enrollment();
        var hosts = cp.hosts();
        return List.of(
                hostAction(hosts, "disable", HostService.AdminAction.DISABLE, "disableHost",
                        "Disable a host: no new instances go there, and what runs there stays (admin)"),
                hostAction(hosts, "drain", HostService.AdminAction.DRAIN, "drainHost",
                        "Put a host in maintenance: no new instances go there; the answer says how many still run there (admin)"),
                hostAction(hosts, "enable", HostService.AdminAction.ENABLE, "enableHost", "Put a disabled or drained host back in service (admin)"),
                route(HandlerType.GET, "/zone-weighers", "listZoneWeighers",
                        "How the scheduler orders each zone's hosts: spread (the most free memory first) or pack (admin)", true, 200, null,
                        List.of(), c -> hosts.weighers(c.principal())),
                route(HandlerType.PUT, "/zone-weighers", "setZoneWeigher", "Set a zone's weigher: spread or pack (admin)", true, 200,
                        SetWeigher.class, List.of(),
                        c -> {
                            var b = c.body(SetWeigher.class);
                            return hosts.setWeigher(c.principal(), b.zone(), b.weigher());
                        }),
                route(HandlerType.DELETE, "/hosts/{hostId}", "removeHost",
                        "Remove a disabled, drained or down host with no instances left: it is no longer listed and its agent can no longer "
                                + "call in (admin)", true, 200, null, List.of(),
                        c -> new HostChanged(Views.host(hosts.remove(c.principal(), c.path("hostId")), io.nubo.core.model.HostUsage.NONE), 0)),
                route(HandlerType.POST, "/host-join-tokens", "createHostJoinToken",
                        "Create a join token with which agents enrol new hosts; its secret is shown only in this answer (admin)", true, 201,
                        CreateJoinToken.class, List.of(),
                        c -> {
                            var b = c.body(CreateJoinToken.class);
                            long ttl = b.ttlSeconds() == null ? HostEnrollment.DEFAULT_TTL.toSeconds() : b.ttlSeconds();
                            if (ttl < 1) {
                                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "ttlSeconds must be at least 1");
                            }
                            return enrollment.createToken(c.principal(), Duration.ofSeconds(ttl));
                        }),
                route(HandlerType.GET, "/host-join-tokens", "listHostJoinTokens", "List join tokens, without their secrets (admin)", true,
                        200, null, List.of(), c -> enrollment.tokens(c.principal())),
                route(HandlerType.POST, "/host-join-tokens/{tokenId}/revoke", "revokeHostJoinToken",
                        "Revoke a join token: no new host can join with it (admin)", true, 200, Bodies.Empty.class, List.of(),
                        c -> {
                            c.body(Bodies.Empty.class);
                            enrollment.revokeToken(c.principal(), c.path("tokenId"));
                            return Map.of("tokenId", c.path("tokenId"), "state", "revoked");
                        }),
                route(HandlerType.POST, "/hosts/{hostId}/revoke-credentials", "revokeHostCredentials",
                        "Revoke a host's credentials: its agent can no longer call in (admin)", true, 200, Bodies.Empty.class, List.of(),
                        c -> {
                            c.body(Bodies.Empty.class);
                            return Map.of("hostId", c.path("hostId"), "revoked", enrollment.revokeCredentials(c.principal(), c.path("hostId")));
                        }));
    }
}
