package io.nubo.store;

import io.nubo.core.model.InstanceState;

import java.util.List;

/**
 * Which instances to list. Empty lists match everything; several values in one list are ORed,
 * and the lists are ANDed, as EC2 filters are. Values may hold {@code *} and {@code ?} wildcards.
 */
public record InstanceFilter(List<String> ids, List<InstanceState> states, List<String> types, List<String> imageIds,
                             List<String> names) {
    public static InstanceFilter all() {
        return new InstanceFilter(List.of(), List.of(), List.of(), List.of(), List.of());
    }
}
