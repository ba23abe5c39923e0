package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.control.compute.ComputeService;

import java.util.Base64;

/** GetConsoleOutput: the latest 64 KiB of the serial console, base64-encoded. */
public record GetConsoleOutput(String instanceId) implements Ec2Command {
    public static GetConsoleOutput parse(Params p) {
        p.bool("Latest");
        return new GetConsoleOutput(p.required("InstanceId"));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var out = c.services().compute().console(c.caller(), instanceId, ComputeService.MAX_CONSOLE_BYTES);
        return o -> o.text("instanceId", out.instanceId()).time("timestamp", out.timestamp())
                .text("output", Base64.getEncoder().encodeToString(out.output()));
    }
}
