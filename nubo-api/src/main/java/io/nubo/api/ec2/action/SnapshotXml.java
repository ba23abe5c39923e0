package io.nubo.api.ec2.action;

import io.nubo.api.ec2.xml.XmlOut;
import io.nubo.control.snapshots.SnapshotDetails;
import io.nubo.core.model.Snapshot;

/** The writer of EC2's Snapshot shape, as CreateSnapshot answers it at the top and DescribeSnapshots in each item. Stateless. */
final class SnapshotXml {
    private SnapshotXml() {
    }

    static void snapshot(XmlOut o, SnapshotDetails d) {
        Snapshot x = d.snapshot();
        o.text("snapshotId", x.id()).text("volumeId", x.volumeId()).text("status", x.state().apiName())
                .text("statusMessage", x.stateReason() == null ? null : x.stateReason()).time("startTime", x.startedAt())
                .text("progress", x.progress() + "%").text("ownerId", x.accountId()).text("description", x.description())
                .number("volumeSize", x.volumeSizeGib()).bool("encrypted", false).text("storageTier", "standard");
        Render.tagSet(o, d.tags());
    }
}
