package io.nubo.api.rest;

import io.javalin.http.HandlerType;
import io.nubo.control.ControlPlane;
import io.nubo.control.volumes.CreateVolumeRequest;
import io.nubo.control.volumes.ModifyVolumeRequest;
import io.nubo.control.volumes.VolumeDetails;
import io.nubo.core.filter.Filter;
import io.nubo.core.model.PageRequest;
import io.nubo.core.model.Tag;
import io.nubo.core.model.Volume;
import io.nubo.core.model.VolumeAttachment;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.nubo.api.rest.RestRoutes.route;

/** The REST routes for volumes. Handlers only translate; the rules are in the volume service. */
public final class VolumeRoutes {
    private VolumeRoutes() {
    }

    /**
     * A new volume: {@code availabilityZone} is required, and {@code sizeGib} unless {@code snapshotId} names the snapshot to
     * make it from (then at least the snapshot's size); the type defaults to gp3.
     */
    public record CreateVolume(Integer sizeGib, String volumeType, String availabilityZone, Boolean multiAttach, Integer iops,
                               Integer throughput, Map<String, String> tags, String clientToken, String snapshotId) {
    }

    /** Attach to {@code instanceId} as {@code device} ({@code /dev/sdf} ...). */
    public record AttachVolume(String instanceId, String device) {
    }

    /** Detach; {@code instanceId} is needed when a multi-attach volume has several; {@code force} does not wait for the guest. */
    public record DetachVolume(String instanceId, String device, Boolean force) {
    }

    /** Grow to {@code sizeGib} (never shrink), or change the type, IOPS or throughput. */
    public record ModifyVolume(Integer sizeGib, String volumeType, Integer iops, Integer throughput) {
    }

    public record AttachmentView(String volumeId, String instanceId, String device, String state, boolean deleteOnTermination,
                                 Instant attachTime) {
    }

    public record ModificationView(String state, int originalSizeGib, int targetSizeGib, String originalVolumeType, String targetVolumeType,
                                   Instant startTime, Instant endTime) {
    }

    public record VolumeView(String volumeId, String ownerId, String state, String stateReason, int sizeGib, String volumeType, Integer iops,
                             Integer throughput, boolean multiAttach, String availabilityZone, Instant createTime,
                             List<AttachmentView> attachments, Map<String, String> tags, ModificationView modification, String snapshotId) {
    }

    public record VolumeList(List<VolumeView> volumes, String nextToken) {
    }

    public record Deleted(String volumeId, String state) {
    }

    public static List<Route> all(ControlPlane cp) {
        var volumes = cp.volumes();
        return List.of(
                route(HandlerType.GET, "/volumes", "listVolumes", "List the caller's volumes", false, 200, null,
                        List.of(new Route.QueryParam("status", "string", "volume state(s): creating, available, in-use, deleting, error"),
                                new Route.QueryParam("instance", "string", "attached to these instance ID(s)"),
                                new Route.QueryParam("limit", "integer", "page size, 5 to 500"),
                                new Route.QueryParam("nextToken", "string", "the token from the previous page")),
                        c -> {
                            List<Filter> filters = new ArrayList<>();
                            if (!c.queryList("status").isEmpty()) {
                                filters.add(new Filter("status", c.queryList("status")));
                            }
                            if (!c.queryList("instance").isEmpty()) {
                                filters.add(new Filter("attachment.instance-id", c.queryList("instance")));
                            }
                            Optional<Integer> limit = c.query("limit").map(x -> c.queryInt("limit", 0));
                            var page = volumes.describe(c.principal(), List.of(), filters, new PageRequest(limit, c.query("nextToken")));
                            return new VolumeList(page.items().stream().map(VolumeRoutes::view).toList(), page.nextToken());
                        }),
                route(HandlerType.POST, "/volumes", "createVolume", "Create a volume; it is creating until its file exists", false, 201,
                        CreateVolume.class, List.of(),
                        c -> {
                            var b = c.body(CreateVolume.class);
                            List<Tag> tags = b.tags() == null ? List.of() : b.tags().entrySet().stream().map(e -> new Tag(e.getKey(), e.getValue()))
                                    .toList();
                            return view(volumes.create(c.principal(), new CreateVolumeRequest(Optional.ofNullable(b.sizeGib()),
                                    Optional.ofNullable(b.volumeType()), Optional.ofNullable(b.availabilityZone()), Optional.empty(),
                                    Optional.ofNullable(b.iops()), Optional.ofNullable(b.throughput()), Boolean.TRUE.equals(b.multiAttach()),
                                    Optional.ofNullable(b.snapshotId()), false, Optional.empty(), tags, Optional.ofNullable(b.clientToken()))));
                        }),
                route(HandlerType.GET, "/volumes/{volumeId}", "getVolume", "Describe one volume", false, 200, null, List.of(),
                        c -> view(volumes.get(c.principal(), c.path("volumeId")))),
                route(HandlerType.DELETE, "/volumes/{volumeId}", "deleteVolume", "Delete a volume nothing has attached", false, 200, null,
                        List.of(),
                        c -> {
                            volumes.delete(c.principal(), c.path("volumeId"));
                            return new Deleted(c.path("volumeId"), "deleting");
                        }),
                route(HandlerType.POST, "/volumes/{volumeId}/attach", "attachVolume",
                        "Attach a volume to a running instance (hot) or a stopped one (at its next start)", false, 200, AttachVolume.class,
                        List.of(),
                        c -> {
                            var b = c.body(AttachVolume.class);
                            RestRoutes.require(b.instanceId(), "instanceId");
                            RestRoutes.require(b.device(), "device");
                            return attachment(volumes.attach(c.principal(), c.path("volumeId"), b.instanceId(), b.device()));
                        }),
                route(HandlerType.POST, "/volumes/{volumeId}/detach", "detachVolume",
                        "Detach a volume: detaching until the guest lets go of the disk (force: do not wait for it)", false, 200,
                        DetachVolume.class, List.of(),
                        c -> {
                            var b = c.body(DetachVolume.class);
                            return attachment(volumes.detach(c.principal(), c.path("volumeId"), Optional.ofNullable(b.instanceId()),
                                    Optional.ofNullable(b.device()), Boolean.TRUE.equals(b.force())));
                        }),
                route(HandlerType.POST, "/volumes/{volumeId}/modify", "modifyVolume",
                        "Grow a volume, online when attached (never shrink it), or change its type, IOPS or throughput", false, 200,
                        ModifyVolume.class, List.of(),
                        c -> {
                            var b = c.body(ModifyVolume.class);
                            volumes.modify(c.principal(), c.path("volumeId"), new ModifyVolumeRequest(Optional.ofNullable(b.sizeGib()),
                                    Optional.ofNullable(b.volumeType()), Optional.ofNullable(b.iops()), Optional.ofNullable(b.throughput()),
                                    Optional.empty()));
                            return view(volumes.get(c.principal(), c.path("volumeId")));
                        }));
    }

    static VolumeView view(VolumeDetails d) {
        Volume v = d.volume();
        Volume.Modification m = v.modification();
        Map<String, String> tags = new java.util.TreeMap<>();
        d.tags().forEach(t -> tags.put(t.key(), t.value()));
        return new VolumeView(v.id(), v.accountId(), v.state().apiName(), v.stateReason(), v.sizeGib(), v.type().apiName(), v.iops(),
                v.throughput(), v.multiAttach(), v.zone(), v.createdAt(), d.attachments().stream().map(VolumeRoutes::attachment).toList(), tags,
                m == null ? null : new ModificationView(m.state(), m.originalSizeGib(), m.targetSizeGib(), m.originalType().apiName(),
                        m.targetType().apiName(), m.startedAt(), m.endedAt()), d.snapshotId());
    }

    static AttachmentView attachment(VolumeAttachment a) {
        return new AttachmentView(a.volumeId(), a.instanceId(), a.device(), a.state().apiName(), a.deleteOnTermination(), a.attachedAt());
    }
}
