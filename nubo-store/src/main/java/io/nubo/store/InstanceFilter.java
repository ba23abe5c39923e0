package io.nubo.store;

import io.nubo.core.model.InstanceState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which instances to list. Empty lists match everything; several values in one list are ORed,
 * and the lists and conditions are ANDed, as EC2 filters are. Values may hold {@code *} and
 * {@code ?} wildcards ({@code \} escapes them).
 */
public record InstanceFilter(List<String> ids, List<InstanceState> states, List<String> types, List<String> imageIds,
                             List<String> names, List<Condition> conditions) {
    public InstanceFilter {
        ids = List.copyOf(ids);
        states = List.copyOf(states);
        types = List.copyOf(types);
        imageIds = List.copyOf(imageIds);
        names = List.copyOf(names);
        conditions = List.copyOf(conditions);
    }

    public InstanceFilter(List<String> ids, List<InstanceState> states, List<String> types, List<String> imageIds, List<String> names) {
        this(ids, states, types, imageIds, names, List.of());
    }

    public static InstanceFilter all() {
        return new InstanceFilter(List.of(), List.of(), List.of(), List.of(), List.of());
    }

    public static InstanceFilter of(List<Condition> conditions) {
        return new InstanceFilter(List.of(), List.of(), List.of(), List.of(), List.of(), conditions);
    }

    /** This filter with one more condition. */
    public InstanceFilter and(Condition c) {
        List<Condition> more = new ArrayList<>(conditions);
        more.add(c);
        return new InstanceFilter(ids, states, types, imageIds, names, more);
    }

    /** The columns a {@link Column} condition can test. */
    public enum Field {
        ID, STATE, INSTANCE_TYPE, IMAGE_ID, KEY_NAME, ZONE, RESERVATION_ID, OWNER_ID,
        /** The launch time as EC2 prints it, {@code 2026-05-01T12:00:00.000Z}. */
        LAUNCH_TIME
    }

    /** One more requirement on the instances listed. */
    public sealed interface Condition permits Column, TagValue, TagKey, AnyTagValue, GroupId, GroupName, PrivateAddress, BlockDevice,
            Nothing {
    }

    /** The field matches one of the patterns. */
    public record Column(Field field, List<String> patterns) implements Condition {
    }

    /** The instance has tag {@code key} with a value that matches one of the patterns. */
    public record TagValue(String key, List<String> patterns) implements Condition {
    }

    /** The instance has a tag whose key matches one of the patterns. */
    public record TagKey(List<String> patterns) implements Condition {
    }

    /** The instance has a tag whose value matches one of the patterns. */
    public record AnyTagValue(List<String> patterns) implements Condition {
    }

    /** A part of a block device mapping, as EC2's {@code block-device-mapping.*} filters name them. */
    public enum DevicePart { VOLUME_ID, DEVICE_NAME, STATUS, DELETE_ON_TERMINATION, ATTACH_TIME }

    /** The instance has a block device (its root volume, or an attached one) whose {@code part} matches one of the patterns. */
    public record BlockDevice(DevicePart part, List<String> patterns) implements Condition {
    }

    /** The instance is in a security group whose ID matches one of the patterns. */
    public record GroupId(List<String> patterns) implements Condition {
    }

    /** The instance is in a security group whose name matches one of the patterns. */
    public record GroupName(List<String> patterns) implements Condition {
    }

    /**
     * The instance holds a private address that matches one of the patterns; {@code networkByZone}
     * gives the network address of each zone's default subnet, which host numbers count from.
     */
    public record PrivateAddress(Map<String, String> networkByZone, List<String> patterns) implements Condition {
    }

    /** Matches no instance. */
    public record Nothing() implements Condition {
    }
}
