package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.filter.Filter;
import io.nubo.core.model.PageRequest;

import java.util.List;

/** DescribeInstanceTypes: the catalogue, with vCPU and memory information; pages of 5 to 100. */
public record DescribeInstanceTypes(List<String> types, List<Filter> filters, PageRequest page) implements Ec2Command {
    public static DescribeInstanceTypes parse(Params p) {
        p.bool("IncludeUnsupportedInRegion");
        return new DescribeInstanceTypes(p.strings("InstanceType"), Inputs.filters(p), Inputs.page(p));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var result = c.services().catalog().describeTypes(types, filters, page);
        return o -> {
            o.list("instanceTypeSet", result.items(), (x, t) -> {
                x.text("instanceType", t.name()).bool("currentGeneration", true).bool("freeTierEligible", false)
                        .values("supportedUsageClasses", List.of("on-demand")).values("supportedRootDeviceTypes", List.of("ebs"))
                        .values("supportedVirtualizationTypes", List.of("hvm")).bool("bareMetal", false)
                        .struct("processorInfo", () -> x.values("supportedArchitectures", List.of("x86_64")))
                        .struct("vCpuInfo", () -> x.number("defaultVCpus", t.vcpus()).number("defaultCores", t.vcpus())
                                .number("defaultThreadsPerCore", 1))
                        .struct("memoryInfo", () -> x.number("sizeInMiB", t.memoryMib()))
                        .bool("instanceStorageSupported", false).bool("hibernationSupported", false)
                        .bool("burstablePerformanceSupported", t.name().startsWith("t")).bool("dedicatedHostsSupported", false)
                        .bool("autoRecoverySupported", false).values("supportedBootModes", List.of("legacy-bios"));
            });
            o.text("nextToken", result.nextToken());
        };
    }
}
