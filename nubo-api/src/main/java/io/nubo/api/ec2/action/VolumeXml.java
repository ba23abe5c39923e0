package io.nubo.api.ec2.action;

import io.nubo.api.ec2.xml.XmlOut;
import io.nubo.control.network.Topology;
import io.nubo.control.volumes.VolumeDetails;
import io.nubo.core.model.Volume;
import io.nubo.core.model.VolumeAttachment;

/** Writers for EC2's volume shapes: Volume, VolumeAttachment and VolumeModification. Stateless. */
final class VolumeXml {
    private VolumeXml() {
    }

    /** A Volume's members, as CreateVolume answers them at the top and DescribeVolumes in each item. */
    static void volume(XmlOut o, VolumeDetails d) {
        Volume v = d.volume();
        o.text("volumeId", v.id()).number("size", v.sizeGib()).text("snapshotId", d.snapshotId() == null ? "" : d.snapshotId()).text("availabilityZone", v.zone())
                .text("availabilityZoneId", Topology.zoneId(v.zone())).text("status", v.state().apiName()).time("createTime", v.createdAt())
                .list("attachmentSet", d.attachments(), VolumeXml::attachment);
        Render.tagSet(o, d.tags());
        o.text("volumeType", v.type().apiName()).number("iops", v.iops()).bool("encrypted", false).bool("multiAttachEnabled", v.multiAttach())
                .number("throughput", v.throughput()).bool("fastRestored", false);
    }

    /** A VolumeAttachment's members. */
    static void attachment(XmlOut o, VolumeAttachment a) {
        o.text("volumeId", a.volumeId()).text("instanceId", a.instanceId()).text("device", a.device()).text("status", a.state().apiName())
                .time("attachTime", a.attachedAt()).bool("deleteOnTermination", a.deleteOnTermination());
    }

    /** ModifyVolume's answer: the volume's modification. */
    static void modification(XmlOut o, Volume v) {
        o.struct("volumeModification", () -> modificationMembers(o, v));
    }

    /** A VolumeModification's members, as ModifyVolume and DescribeVolumesModifications show them. */
    static void modificationMembers(XmlOut o, Volume v) {
        Volume.Modification m = v.modification();
        o.text("volumeId", v.id()).text("modificationState", m.state())
                .number("targetSize", m.targetSizeGib()).number("targetIops", v.iops()).text("targetVolumeType", m.targetType().apiName())
                .number("targetThroughput", v.throughput()).bool("targetMultiAttachEnabled", v.multiAttach())
                .number("originalSize", m.originalSizeGib()).text("originalVolumeType", m.originalType().apiName())
                .bool("originalMultiAttachEnabled", v.multiAttach())
                .number("progress", Volume.Modification.COMPLETED.equals(m.state()) ? 100 : 0).time("startTime", m.startedAt())
                .time("endTime", m.endedAt());
    }
}
