package io.nubo.api.rest;

import io.javalin.http.HandlerType;
import io.nubo.control.ControlPlane;
import io.nubo.control.snapshots.SnapshotDetails;
import io.nubo.core.filter.Filter;
import io.nubo.core.model.PageRequest;
import io.nubo.core.model.Snapshot;
import io.nubo.core.model.Tag;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.nubo.api.rest.RestRoutes.route;

/** The REST routes for snapshots. Handlers only translate; the rules are in the snapshot service. */
public final class SnapshotRoutes {
    private SnapshotRoutes() {
    }

    /** A snapshot of {@code volumeId}, crash-consistent while its VM runs. */
    public record CreateSnapshot(String volumeId, String description, Map<String, String> tags) {
    }

    /** A copy of a completed snapshot, on {@code destination} (a storage pool's name; the source's pool when absent). */
    public record CopySnapshot(String description, String destination, Map<String, String> tags) {
    }

    public record SnapshotView(String snapshotId, String ownerId, String volumeId, int volumeSizeGib, String state, String stateReason,
                               String progress, String description, String poolId, Instant startTime, Map<String, String> tags) {
    }

    public record SnapshotList(List<SnapshotView> snapshots, String nextToken) {
    }

    public record Deleted(String snapshotId, String state) {
    }

    public static List<Route> all(ControlPlane cp) {
        var snapshots = cp.snapshots();
        return List.of(
                route(HandlerType.GET, "/snapshots", "listSnapshots", "List the caller's snapshots", false, 200, null,
                        List.of(new Route.QueryParam("status", "string", "snapshot state(s): pending, completed, error"),
                                new Route.QueryParam("volume", "string", "of these volume ID(s)"),
                                new Route.QueryParam("limit", "integer", "page size, 5 to 1000"),
                                new Route.QueryParam("nextToken", "string", "the token from the previous page")),
                        c -> {
                            List<Filter> filters = new ArrayList<>();
                            if (!c.queryList("status").isEmpty()) {
                                filters.add(new Filter("status", c.queryList("status")));
                            }
                            if (!c.queryList("volume").isEmpty()) {
                                filters.add(new Filter("volume-id", c.queryList("volume")));
                            }
                            Optional<Integer> limit = c.query("limit").map(x -> c.queryInt("limit", 0));
                            var page = snapshots.describe(c.principal(), List.of(), List.of(), filters, new PageRequest(limit, c.query("nextToken")));
                            return new SnapshotList(page.items().stream().map(SnapshotRoutes::view).toList(), page.nextToken());
                        }),
                route(HandlerType.POST, "/snapshots", "createSnapshot", "Snapshot a volume; it is pending, with its progress, until its file is whole",
                        false, 201, CreateSnapshot.class, List.of(),
                        c -> {
                            var b = c.body(CreateSnapshot.class);
                            RestRoutes.require(b.volumeId(), "volumeId");
                            return view(snapshots.create(c.principal(), b.volumeId(), Optional.ofNullable(b.description()), tags(b.tags())));
                        }),
                route(HandlerType.GET, "/snapshots/{snapshotId}", "getSnapshot", "Describe one snapshot", false, 200, null, List.of(),
                        c -> view(snapshots.get(c.principal(), c.path("snapshotId")))),
                route(HandlerType.DELETE, "/snapshots/{snapshotId}", "deleteSnapshot",
                        "Delete a completed or failed snapshot that no volume is being made from", false, 200, null, List.of(),
                        c -> {
                            snapshots.delete(c.principal(), c.path("snapshotId"));
                            return new Deleted(c.path("snapshotId"), "deleted");
                        }),
                route(HandlerType.POST, "/snapshots/{snapshotId}/copy", "copySnapshot",
                        "Copy a completed snapshot, to another storage pool if destination names one", false, 201, CopySnapshot.class, List.of(),
                        c -> {
                            var b = c.body(CopySnapshot.class);
                            return view(snapshots.copy(c.principal(), c.path("snapshotId"), Optional.ofNullable(b.description()),
                                    Optional.ofNullable(b.destination()), tags(b.tags())));
                        }));
    }

    private static List<Tag> tags(Map<String, String> tags) {
        return tags == null ? List.of() : tags.entrySet().stream().map(e -> new Tag(e.getKey(), e.getValue())).toList();
    }

    static SnapshotView view(SnapshotDetails d) {
        Snapshot x = d.snapshot();
        Map<String, String> tags = new java.util.TreeMap<>();
        d.tags().forEach(t -> tags.put(t.key(), t.value()));
        return new SnapshotView(x.id(), x.accountId(), x.volumeId(), x.volumeSizeGib(), x.state().apiName(), x.stateReason(),
                x.progress() + "%", x.description(), x.poolId(), x.startedAt(), tags);
    }
}
