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
            .one("snapshot-id", d -> "")
            .many("attachment.instance-id", d -> each(d, VolumeAttachment::instanceId))
            .many("attachment.device", d -> each(d, VolumeAttachment::device))
            .many("attachment.status", d -> each(d, a -> a.state().apiName()))
            .many("attachment.delete-on-termination", d -> each(d, a -> Boolean.toString(a.deleteOnTermination())))
            .many("attachment.attach-time", d -> each(d, a -> DateTimeFormatter.ISO_INSTANT.format(a.attachedAt())))
            .tags(VolumeDetails::tags)
            .build();

    private VolumeFilters() {
    }

    private static List<String> each(VolumeDetails d, Function<VolumeAttachment, String> f) {
        return d.attachments().stream().map(f).toList();
    }
}
