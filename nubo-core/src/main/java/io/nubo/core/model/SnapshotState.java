package io.nubo.core.model;

/**
 * A snapshot's states: EC2's {@code pending}, {@code completed} and {@code error}, and Nubo's own
 * {@code deleting} and {@code deleted} (hidden from callers: a deleted snapshot is NotFound at
 * once, while the controller removes its file and frees its space).
 */
public enum SnapshotState {
    PENDING("pending"), COMPLETED("completed"), ERROR("error"), DELETING("deleting"), DELETED("deleted");

    private final String apiName;

    SnapshotState(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }

    /** Whether callers see it. */
    public boolean visible() {
        return this == PENDING || this == COMPLETED || this == ERROR;
    }

    public static SnapshotState fromApiName(String name) {
        for (SnapshotState s : values()) {
            if (s.apiName.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no snapshot state " + name);
    }
}
