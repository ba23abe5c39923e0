package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.control.compute.LaunchRequest;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.ResourceType;

import java.util.List;

/**
 * RunInstances: image, type, counts, key, user data (base64), security groups by ID or name,
 * instance tags, zone or subnet, a placement group (and partition), the root disk's size (a
 * {@code BlockDeviceMapping} of the root device), and an idempotency token. Answers with the reservation. What
 * else EC2 takes is accepted or refused by {@link LaunchOptions}.
 */
public record RunInstances(LaunchRequest request) implements Ec2Command {
    public static RunInstances parse(Params p) {
        LaunchOptions.Placement placement = LaunchOptions.check(p);
        int min = p.integer("MinCount").orElseThrow(() -> missing("MinCount"));
        int max = p.integer("MaxCount").orElseThrow(() -> missing("MaxCount"));
        return new RunInstances(new LaunchRequest(p.required("ImageId"), p.nonEmpty("InstanceType").orElse(null), min, max, null,
                p.nonEmpty("KeyName").orElse(null), p.nonEmpty("UserData").orElse(null), placement.zone(), p.nonEmpty("SubnetId").orElse(null),
                p.strings("SecurityGroupId"), p.strings("SecurityGroup"), Inputs.tagSpecifications(p, ResourceType.INSTANCE),
                p.nonEmpty("ClientToken").orElse(null), false, placement.group(), placement.partition(), RootDeviceMapping.rootSizeGib(p),
                RootDeviceMapping.keepsRootVolume(p)));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var reservation = c.services().compute().run(c.caller(), request);
        var details = c.services().instanceQueries().details(c.caller(), reservation.instances());
        return o -> {
            o.text("reservationId", reservation.reservationId()).text("ownerId", reservation.accountId());
            o.list("groupSet", List.<String>of(), (x, g) -> { });
            int[] index = {0};
            o.list("instancesSet", details, (x, d) -> {
                Render.instance(x, d);
                x.number("amiLaunchIndex", index[0]++);
            });
        };
    }

    private static NuboException missing(String name) {
        return NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter %s", name);
    }
}
