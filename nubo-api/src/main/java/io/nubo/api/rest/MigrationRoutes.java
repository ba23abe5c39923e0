package io.nubo.api.rest;

import io.javalin.http.HandlerType;
import io.nubo.control.ControlPlane;
import io.nubo.control.hosts.HostDrain;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Migration;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static io.nubo.api.rest.RestRoutes.route;

/** The operator's REST routes for live migration and host drains. */
final class MigrationRoutes {
    private MigrationRoutes() {
    }

    /** The body of a migration request: the destination host (ID or name), or none to let the scheduler choose. */
    public record MigrateInstance(String toHost) {
    }

    /** A migration and how far it got. Sizes in bytes, times in milliseconds. */
    public record MigrationView(String migrationId, String instanceId, String sourceHostId, String destinationHostId, String state,
                                String phase, Long remainingBytes, Long transferredBytes, Integer downtimeLimitMs, Integer downtimeMs,
                                Integer totalMs, String reason, String requestedBy, Instant createdAt, Instant updatedAt, Instant finishedAt) {
    }

    /** What a host's current or last drain did: its migrations, and the instances left on the host with why. */
    public record DrainView(String hostId, Instant startedAt, List<MigrationView> migrations, List<HostDrain.Left> left) {
    }

    static MigrationView view(Migration m) {
        return new MigrationView(m.id(), m.instanceId(), m.sourceHostId(), m.destinationHostId(), m.state().apiName(), m.phase(),
                m.remainingBytes(), m.transferredBytes(), m.downtimeLimitMs(), m.downtimeMs(), m.totalMs(), m.reason(), m.requestedBy(),
                m.createdAt(), m.updatedAt(), m.finishedAt());
    }

    static List<Route> all(ControlPlane cp) {
        var migrations = cp.migrations();
        var hosts = cp.hosts();
        return List.of(
                route(HandlerType.POST, "/instances/{instanceId}/migrate", "migrateInstance",
                        "Live-migrate a running instance to another host, chosen by the scheduler unless toHost names one (admin)",
                        true, 202, MigrateInstance.class, List.of(),
                        c -> {
                            var b = c.body(MigrateInstance.class);
                            String to = b.toHost();
                            if (to != null && to.isBlank()) {
                                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "toHost must name a host, or be left out");
                            }
                            return view(migrations.start(c.principal(), c.path("instanceId"), Optional.ofNullable(to)));
                        }),
                route(HandlerType.GET, "/instances/{instanceId}/migration", "getInstanceMigration",
                        "The latest live migration of an instance, with its progress (admin)", true, 200, null, List.of(),
                        c -> view(migrations.latest(c.principal(), c.path("instanceId")).orElseThrow(() -> NuboException.of(
                                ErrorCode.INVALID_INSTANCE_ID_NOT_FOUND, "The instance '%s' has no migration", c.path("instanceId"))))),
                route(HandlerType.GET, "/hosts/{hostId}/drain", "getHostDrain",
                        "What the current or last drain of a host did: its migrations and the instances it left (admin)", true, 200, null,
                        List.of(),
                        c -> {
                            hosts.get(c.principal(), c.path("hostId"));
                            HostDrain.Report r = hosts.drainReport(c.principal(), c.path("hostId")).orElseThrow(() -> NuboException.of(
                                    ErrorCode.INVALID_HOST_ID_NOT_FOUND, "The host '%s' was never drained", c.path("hostId")));
                            return new DrainView(c.path("hostId"), r.startedAt(), r.migrations().stream().map(MigrationRoutes::view).toList(),
                                    r.left());
                        }));
    }
}
