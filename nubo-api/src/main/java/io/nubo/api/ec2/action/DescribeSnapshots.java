package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.filter.Filter;
import io.nubo.core.model.PageRequest;

import java.util.List;

/**
 * DescribeSnapshots: by ID or all, by owner ({@code self} or the caller's account: every
 * snapshot a caller sees is its own), with EC2's filters, in pages of 5 to 1,000.
 * {@code RestorableBy} is read and has nothing to narrow (no snapshot is shared).
 */
public record DescribeSnapshots(List<String> ids, List<String> owners, List<Filter> filters, PageRequest page) implements Ec2Command {
    public static DescribeSnapshots parse(Params p) {
        p.strings("RestorableBy");
        List<String> owners = new java.util.ArrayList<>(p.strings("Owner"));
        owners.addAll(p.strings("OwnerId"));
        return new DescribeSnapshots(p.strings("SnapshotId"), owners, Inputs.filters(p), Inputs.page(p));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var result = c.services().snapshots().describe(c.caller(), ids, owners, filters, page);
        return o -> {
            o.list("snapshotSet", result.items(), SnapshotXml::snapshot);
            o.text("nextToken", result.nextToken());
        };
    }
}
