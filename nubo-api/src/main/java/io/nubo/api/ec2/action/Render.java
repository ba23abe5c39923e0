package io.nubo.api.ec2.action;

import io.nubo.api.ec2.xml.XmlOut;
import io.nubo.control.compute.InstanceDetails;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.SecurityGroup;
import io.nubo.core.model.Tag;

import java.util.List;

/** Writers for the shapes several answers share: tags, instance states, instances. Stateless. */
final class Render {
    static final String ROOT_DEVICE = "/dev/vda";

    private Render() {
    }

    static void tagSet(XmlOut o, List<Tag> tags) {
        o.list("tagSet", tags, (x, t) -> x.text("key", t.key()).text("value", t.value()));
    }

    static void state(XmlOut o, String name, InstanceState s) {
        o.struct(name, () -> o.number("code", s.code()).text("name", s.apiName()));
    }

    static void groups(XmlOut o, String name, List<SecurityGroup> groups) {
        o.list(name, groups, (x, g) -> x.text("groupId", g.id()).text("groupName", g.name()));
    }

    /** One {@code instancesSet} item, as DescribeInstances and RunInstances show it. */
    static void instance(XmlOut o, InstanceDetails d) {
        Instance i = d.instance();
        o.text("instanceId", i.id());
        o.text("imageId", i.imageId());
        state(o, "instanceState", i.state());
        o.text("privateDnsName", "");
        o.text("dnsName", "");
        o.text("reason", i.stateReason() == null ? "" : i.stateReason());
        o.text("keyName", i.keyName());
        o.list("productCodes", List.<String>of(), (x, p) -> { });
        o.text("instanceType", i.instanceType());
        o.time("launchTime", i.launchTime());
        o.struct("placement", () -> o.text("availabilityZone", i.zone()).text("groupName", "").text("tenancy", "default"));
        o.struct("monitoring", () -> o.text("state", "disabled"));
        o.text("subnetId", d.subnetId());
        o.text("vpcId", d.vpcId());
        o.bool("sourceDestCheck", true);
        groups(o, "groupSet", d.groups());
        if (i.stateReason() != null) {
            o.struct("stateReason", () -> o.text("code", reasonCode(i.stateReason())).text("message", i.stateReason()));
        }
        o.text("architecture", "x86_64");
        o.text("rootDeviceType", "ebs");
        o.text("rootDeviceName", ROOT_DEVICE);
        o.list("blockDeviceMapping", List.<String>of(), (x, b) -> { });
        o.text("virtualizationType", "hvm");
        tagSet(o, d.tags());
        o.bool("ebsOptimized", false);
        o.struct("cpuOptions", () -> o.number("coreCount", i.vcpus()).number("threadsPerCore", 1));
        o.text("platformDetails", "Linux/UNIX");
    }

    /** The code part of a reason such as {@code Client.UserInitiatedShutdown: User initiated shutdown}. */
    static String reasonCode(String reason) {
        int colon = reason.indexOf(':');
        String code = colon > 0 ? reason.substring(0, colon) : "";
        return code.matches("(Client|Server)\\.[A-Za-z]+") ? code : "Server.InternalError";
    }
}
