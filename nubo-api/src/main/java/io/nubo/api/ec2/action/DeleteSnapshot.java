package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;

/** DeleteSnapshot: a completed or failed snapshot; one a volume is still being made from is {@code InvalidSnapshot.InUse}. */
public record DeleteSnapshot(String snapshotId) implements Ec2Command {
    public static DeleteSnapshot parse(Params p) {
        return new DeleteSnapshot(p.required("SnapshotId"));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        c.services().snapshots().delete(c.caller(), snapshotId);
        return Ec2Reply.TRUE;
    }
}
