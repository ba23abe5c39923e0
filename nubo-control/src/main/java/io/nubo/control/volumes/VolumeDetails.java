package io.nubo.control.volumes;

import io.nubo.core.model.Tag;
import io.nubo.core.model.Volume;
import io.nubo.core.model.VolumeAttachment;

import java.util.List;

/** A volume as callers see it: with its attachments, tags and the snapshot it was made from ({@code snapshotId}, null if none). */
public record VolumeDetails(Volume volume, List<VolumeAttachment> attachments, List<Tag> tags, String snapshotId) {
    public VolumeDetails {
        attachments = List.copyOf(attachments);
        tags = List.copyOf(tags);
    }
}
