package io.nubo.control.snapshots;

import io.nubo.core.model.Snapshot;
import io.nubo.core.model.Tag;

import java.util.List;

/** A snapshot as callers see it: with its tags. */
public record SnapshotDetails(Snapshot snapshot, List<Tag> tags) {
    public SnapshotDetails {
        tags = List.copyOf(tags);
    }
}
