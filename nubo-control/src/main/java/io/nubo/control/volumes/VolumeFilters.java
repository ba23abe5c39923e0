package io.nubo.control.volumes;

import io.nubo.core.filter.FilterSet;
import io.nubo.core.model.VolumeAttachment;

import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Function;

/** The filters DescribeVolumes understands, EC2's names. Stateless. */
final class VolumeFilters {
    static final FilterSet<VolumeDetails> SET = FilterSet.<VolumeDetails>builder()
            .one("volume-id", d -> d.volume().id())
            .one("status", d -> d.volume().state().apiName())
            .one("size", d -> Integer.toString(d.volume().sizeGib()))
            .one("volume-type", d -> d.volume().type().apiName())
            .one("availability-zone", d -> d.volume().zone())
            .one("create-time", d -> DateTimeFormatter.ISO_INSTANT.format(d.volume().createdAt()))
            .one("encrypted", d -> "false")
            .one("multi-attach-enabled", d -> Boolean.toString(d.volume().multiAttach()))
            .one("snapshot-id", d -> d.snapshotId() == null ? "" : d.snapshotId())
            .many("attachment.instance-id", d -> each(d, VolumeAttachment::instanceId))
            .many("attachment.device", d -> each(d, VolumeAttachment::device))
            .many("attachment.status", d -> each(d, a -> a.state().apiName()))
            .many("attachment.delete-on-termination", d -> each(d, a -> Boolean.toString(a.deleteOnTermination())))
            .many("attachment.attach-time", d -> each(d, a -> DateTimeFormatter.ISO_INSTANT.format(a.attachedAt())))
            .tags(VolumeDetails::tags)
            .build();

    /** The filters of DescribeVolumesModifications, over volumes that have a modification. */
    static final FilterSet<io.nubo.core.model.Volume> MODIFICATIONS = FilterSet.<io.nubo.core.model.Volume>builder()
            .one("volume-id", io.nubo.core.model.Volume::id)
            .one("modification-state", v -> v.modification().state())
            .one("original-size", v -> Integer.toString(v.modification().originalSizeGib()))
            .one("target-size", v -> Integer.toString(v.modification().targetSizeGib()))
            .one("original-volume-type", v -> v.modification().originalType().apiName())
            .one("target-volume-type", v -> v.modification().targetType().apiName())
            .one("target-iops", v -> v.iops() == null ? null : Integer.toString(v.iops()))
            .one("originalMultiAttachEnabled", v -> Boolean.toString(v.multiAttach()))
            .one("targetMultiAttachEnabled", v -> Boolean.toString(v.multiAttach()))
            .one("start-time", v -> DateTimeFormatter.ISO_INSTANT.format(v.modification().startedAt()))
            .build();

    private VolumeFilters() {
    }

    private static List<String> each(VolumeDetails d, Function<VolumeAttachment, String> f) {
        return d.attachments().stream().map(f).toList();
    }
}
