package io.nubo.control.snapshots;

import io.nubo.core.filter.FilterSet;

import java.time.format.DateTimeFormatter;

/** The filters DescribeSnapshots understands, EC2's names. Stateless. */
final class SnapshotFilters {
    static final FilterSet<SnapshotDetails> SET = FilterSet.<SnapshotDetails>builder()
            .one("snapshot-id", d -> d.snapshot().id())
            .one("volume-id", d -> d.snapshot().volumeId())
            .one("status", d -> d.snapshot().state().apiName())
            .one("owner-id", d -> d.snapshot().accountId())
            .one("description", d -> d.snapshot().description())
            .one("progress", d -> d.snapshot().progress() + "%")
            .one("volume-size", d -> Integer.toString(d.snapshot().volumeSizeGib()))
            .one("start-time", d -> DateTimeFormatter.ISO_INSTANT.format(d.snapshot().startedAt()))
            .one("encrypted", d -> "false")
            .one("storage-tier", d -> "standard")
            .tags(SnapshotDetails::tags)
            .build();

    private SnapshotFilters() {
    }
}
