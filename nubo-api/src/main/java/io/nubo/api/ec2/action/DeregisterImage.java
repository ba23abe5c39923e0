package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;

/** DeregisterImage: one of the caller's own images. Images have no snapshots to delete in Nubo. */
public record DeregisterImage(String imageId) implements Ec2Command {
    public static DeregisterImage parse(Params p) {
        p.bool("DeleteAssociatedSnapshots");
        return new DeregisterImage(p.required("ImageId"));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        c.services().images().deregister(c.caller(), imageId);
        return o -> o.bool("return", true).list("deleteSnapshotResultSet", java.util.List.<String>of(), (x, s) -> { });
    }
}
