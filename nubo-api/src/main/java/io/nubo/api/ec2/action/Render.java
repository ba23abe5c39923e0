package io.nubo.api.ec2.action;

import io.nubo.api.ec2.xml.XmlOut;
import io.nubo.api.ec2.xml.XmlOut.Fragment;
import io.nubo.control.compute.InstanceDetails;
import io.nubo.control.network.SubnetAddresses;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.SecurityGroup;
import io.nubo.core.model.Tag;
import io.nubo.core.model.VolumeAttachment;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Writers for the shapes several answers share: tags, instance states, instances. Stateless. */
final class Render {
    static final String ROOT_DEVICE = io.nubo.store.InstancePages.ROOT_DEVICE;

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

    // The runs of an instance's elements that are the same for every instance, encoded once.
    private static final Map<InstanceState, Fragment> INSTANCE_STATES = new EnumMap<>(InstanceState.class);
    private static final Fragment NO_DNS_NAMES = XmlOut.fragment(o -> o.text("privateDnsName", "").text("dnsName", ""));
    private static final Fragment NO_PRODUCT_CODES = XmlOut.fragment(o -> o.list("productCodes", List.<String>of(), (x, p) -> { }));
    private static final Fragment DEFAULT_PLACEMENT = XmlOut.fragment(o -> o.text("groupName", "").text("tenancy", "default"));
    private static final Fragment NO_MONITORING = XmlOut.fragment(o -> o.struct("monitoring", () -> o.text("state", "disabled")));
    private static final Fragment SOURCE_DEST_CHECK = XmlOut.fragment(o -> o.bool("sourceDestCheck", true));
    private static final Fragment ROOT_DEVICE_FIELDS = XmlOut.fragment(o -> o.text("architecture", "x86_64")
            .text("rootDeviceType", "ebs").text("rootDeviceName", ROOT_DEVICE));
    private static final Fragment VIRTUALIZATION = XmlOut.fragment(o -> o.text("virtualizationType", "hvm"));
    private static final Fragment NOT_EBS_OPTIMIZED = XmlOut.fragment(o -> o.bool("ebsOptimized", false));
    private static final Fragment ONE_THREAD_PER_CORE = XmlOut.fragment(o -> o.number("threadsPerCore", 1));
    private static final Fragment PLATFORM = XmlOut.fragment(o -> o.text("platformDetails", "Linux/UNIX"));
    private static final Pattern REASON_CODE = Pattern.compile("(Client|Server)\\.[A-Za-z]+");

    static {
        for (InstanceState s : InstanceState.values()) {
            INSTANCE_STATES.put(s, XmlOut.fragment(o -> state(o, "instanceState", s)));
        }
    }

    /** One {@code instancesSet} item, as DescribeInstances and RunInstances show it. */
    static void instance(XmlOut o, InstanceDetails d) {
        Instance i = d.instance();
        o.text("instanceId", i.id());
        o.text("imageId", i.imageId());
        o.fragment(INSTANCE_STATES.get(i.state()));
        if (d.privateIpAddress() == null) {
            o.fragment(NO_DNS_NAMES);
        } else {
            o.text("privateDnsName", SubnetAddresses.privateDnsName(d.privateIpAddress())).text("dnsName", "");
        }
        o.text("reason", i.stateReason() == null ? "" : i.stateReason());
        o.text("keyName", i.keyName());
        o.fragment(NO_PRODUCT_CODES);
        o.text("instanceType", i.instanceType());
        o.time("launchTime", i.launchTime());
        if (d.placementGroup() == null) {
            o.start("placement").text("availabilityZone", i.zone()).fragment(DEFAULT_PLACEMENT).end();
        } else {
            var g = d.placementGroup();
            o.start("placement").text("availabilityZone", i.zone()).text("groupName", g.group().name()).text("groupId", g.group().id());
            if (g.partition() != null) {
                o.number("partitionNumber", g.partition());
            }
            o.text("tenancy", "default").end();
        }
        o.fragment(NO_MONITORING);
        o.text("subnetId", d.subnetId());
        o.text("vpcId", d.vpcId());
        if (d.privateIpAddress() != null) {
            o.text("privateIpAddress", d.privateIpAddress());
        }
        o.fragment(SOURCE_DEST_CHECK);
        groups(o, "groupSet", d.groups());
        if (i.stateReason() != null) {
            o.struct("stateReason", () -> o.text("code", reasonCode(i.stateReason())).text("message", i.stateReason()));
        }
        o.fragment(ROOT_DEVICE_FIELDS);
        blockDevices(o, d.blockDevices());
        o.fragment(VIRTUALIZATION);
        tagSet(o, d.tags());
        o.fragment(NOT_EBS_OPTIMIZED);
        o.start("cpuOptions").number("coreCount", i.vcpus()).fragment(ONE_THREAD_PER_CORE).end();
        o.fragment(PLATFORM);
    }

    /** An instance's {@code blockDeviceMapping}: its root volume, then its attached volumes. */
    static void blockDevices(XmlOut o, List<VolumeAttachment> devices) {
        o.list("blockDeviceMapping", devices, (x, b) -> x.text("deviceName", b.device()).struct("ebs", () -> x
                .text("volumeId", b.volumeId()).text("status", b.state().apiName()).time("attachTime", b.attachedAt())
                .bool("deleteOnTermination", b.deleteOnTermination())));
    }

    /** The code part of a reason such as {@code Client.UserInitiatedShutdown: User initiated shutdown}. */
    static String reasonCode(String reason) {
        int colon = reason.indexOf(':');
        String code = colon > 0 ? reason.substring(0, colon) : "";
        return REASON_CODE.matcher(code).matches() ? code : "Server.InternalError";
    }
}
