package io.nubo.core.model;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * An account's placement group, as EC2 has them: its instances go on distinct hosts
 * ({@code spread}), all on one host ({@code cluster}), or into {@code partitionCount} partitions
 * whose hosts no other partition of the group uses ({@code partition}).
 */
public record PlacementGroup(String id, String accountId, String name, Strategy strategy, int partitionCount, Instant createdAt) {
    /** EC2 allows at most this many partitions in a group. */
    public static final int MAX_PARTITIONS = 7;

    public enum Strategy {
        CLUSTER, SPREAD, PARTITION;

        public String apiName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Strategy> of(String apiName) {
            for (Strategy s : values()) {
                if (s.apiName().equals(apiName)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }
}
