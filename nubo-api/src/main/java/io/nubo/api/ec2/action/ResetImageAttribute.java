package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

/** ResetImageAttribute: makes one of the caller's images private again (EC2 resets only launchPermission). */
public record ResetImageAttribute(String imageId) implements Ec2Command {
    public static ResetImageAttribute parse(Params p) {
        String id = p.required("ImageId");
        String attribute = p.required("Attribute");
        if (!attribute.equals("launchPermission")) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Value (%s) for parameter Attribute is invalid: only launchPermission "
                    + "can be reset", io.nubo.core.Text.printable(attribute) ? attribute : "?");
        }
        return new ResetImageAttribute(id);
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        c.services().images().resetLaunchPermission(c.caller(), imageId);
        return Ec2Reply.TRUE;
    }
}
