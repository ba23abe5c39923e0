package io.nubo.control.compute;

import io.nubo.control.network.SubnetAddresses;
import io.nubo.control.network.Topology;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.filter.Filter;
import io.nubo.core.filter.FilterSet;
import io.nubo.core.filter.Wildcard;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.Subnet;
import io.nubo.store.InstanceFilter;
import io.nubo.store.InstanceFilter.Column;
import io.nubo.store.InstanceFilter.Condition;
import io.nubo.store.InstanceFilter.Field;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Translates EC2's instance filters into conditions the store evaluates in SQL, so that pages
 * are cut after filtering. Stateless.
 */
final class InstanceFilters {
    private static final Map<String, Field> COLUMNS = Map.ofEntries(
            Map.entry("instance-id", Field.ID),
            Map.entry("instance-state-name", Field.STATE),
            Map.entry("instance-type", Field.INSTANCE_TYPE),
            Map.entry("image-id", Field.IMAGE_ID),
            Map.entry("key-name", Field.KEY_NAME),
            Map.entry("availability-zone", Field.ZONE),
            Map.entry("placement.availability-zone", Field.ZONE),
            Map.entry("launch-time", Field.LAUNCH_TIME),
            Map.entry("reservation-id", Field.RESERVATION_ID),
            Map.entry("owner-id", Field.OWNER_ID));
    /** The filters DescribeInstanceStatus understands, besides zone and state. */
    private static final Map<String, Function<InstanceState, String>> STATUS = Map.of(
            "instance-status.status", InstanceFilters::status,
            "system-status.status", InstanceFilters::status,
            "instance-status.reachability", InstanceFilters::reachability,
            "system-status.reachability", InstanceFilters::reachability);
    private static final Set<String> STATUS_COLUMNS = Set.of("availability-zone", "instance-state-name");

    private InstanceFilters() {
    }

    /** The filter for DescribeInstances. */
    static InstanceFilter describe(List<Filter> filters, String defaultVpcId, Map<String, Subnet> subnetsByZone) {
        List<Condition> out = new ArrayList<>();
        for (Filter f : filters) {
            out.add(condition(f, defaultVpcId, subnetsByZone));
        }
        return InstanceFilter.of(out);
    }

    /** The filter for DescribeInstanceStatus. */
    static InstanceFilter status(List<Filter> filters) {
        List<Condition> out = new ArrayList<>();
        for (Filter f : filters) {
            if (STATUS_COLUMNS.contains(f.name())) {
                out.add(new Column(COLUMNS.get(f.name()), f.values()));
            } else if (f.name().equals("instance-state-code")) {
                out.add(stateCodes(f.values()));
            } else if (STATUS.containsKey(f.name())) {
                out.add(statesWhere(STATUS.get(f.name()), f.values()));
            } else {
                throw FilterSet.invalid(f.name());
            }
        }
        return InstanceFilter.of(out);
    }

    /** EC2's instance status while an instance is in {@code state}: {@code ok} when it runs. */
    static String status(InstanceState state) {
        return state == InstanceState.RUNNING ? "ok" : "not-applicable";
    }

    static String reachability(InstanceState state) {
        return state == InstanceState.RUNNING ? "passed" : "not-applicable";
    }

    private static Condition condition(Filter f, String defaultVpcId, Map<String, Subnet> subnetsByZone) {
        String name = f.name();
        Field field = COLUMNS.get(name);
        if (field != null) {
            return new Column(field, f.values());
        }
        return switch (name) {
            case "instance-state-code" -> stateCodes(f.values());
            case "tag-key" -> new InstanceFilter.TagKey(f.values());
            case "tag-value" -> new InstanceFilter.AnyTagValue(f.values());
            case "instance.group-id", "group-id" -> new InstanceFilter.GroupId(f.values());
            case "instance.group-name", "group-name" -> new InstanceFilter.GroupName(f.values());
            case "block-device-mapping.volume-id" -> new InstanceFilter.BlockDevice(InstanceFilter.DevicePart.VOLUME_ID, f.values());
            case "block-device-mapping.device-name" -> new InstanceFilter.BlockDevice(InstanceFilter.DevicePart.DEVICE_NAME, f.values());
            case "block-device-mapping.status" -> new InstanceFilter.BlockDevice(InstanceFilter.DevicePart.STATUS, f.values());
            case "block-device-mapping.delete-on-termination" ->
                    new InstanceFilter.BlockDevice(InstanceFilter.DevicePart.DELETE_ON_TERMINATION, f.values());
            case "block-device-mapping.attach-time" -> new InstanceFilter.BlockDevice(InstanceFilter.DevicePart.ATTACH_TIME, f.values());
            case "private-ip-address", "network-interface.addresses.private-ip-address" -> new InstanceFilter.PrivateAddress(
                    Topology.ZONES.stream().collect(Collectors.toMap(z -> z, z -> SubnetAddresses.ofZone(z).networkAddress())),
                    f.values());
            case "vpc-id", "network-interface.vpc-id" ->
                    f.values().stream().anyMatch(v -> Wildcard.matches(v, defaultVpcId)) ? new Column(Field.ZONE, List.of("*"))
                            : new InstanceFilter.Nothing();
            case "subnet-id", "network-interface.subnet-id" -> {
                List<String> zones = subnetsByZone.values().stream()
                        .filter(s -> f.values().stream().anyMatch(v -> Wildcard.matches(v, s.id()))).map(Subnet::zone).toList();
                yield zones.isEmpty() ? new InstanceFilter.Nothing() : new Column(Field.ZONE, zones);
            }
            default -> {
                if (name.startsWith("tag:") && name.length() > 4) {
                    yield new InstanceFilter.TagValue(name.substring(4), f.values());
                }
                throw FilterSet.invalid(name);
            }
        };
    }

    private static Condition stateCodes(List<String> codes) {
        List<String> states = new ArrayList<>();
        for (String c : codes) {
            int code;
            try {
                code = Integer.parseInt(c);
            } catch (NumberFormatException e) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid instance state code '%s'", c);
            }
            // EC2's codes carry host flags in their high byte; the low byte is the state.
            Arrays.stream(InstanceState.values()).filter(s -> s.code() == (code & 0xff)).forEach(s -> states.add(s.apiName()));
        }
        return states.isEmpty() ? new InstanceFilter.Nothing() : new Column(Field.STATE, states);
    }

    private static Condition statesWhere(Function<InstanceState, String> value, List<String> patterns) {
        List<String> states = Arrays.stream(InstanceState.values())
                .filter(s -> patterns.stream().anyMatch(p -> Wildcard.matches(p, value.apply(s)))).map(InstanceState::apiName).toList();
        return states.isEmpty() ? new InstanceFilter.Nothing() : new Column(Field.STATE, states);
    }
}
