package io.nubo.core.model;

import java.util.Locale;

/** EC2's instance states, with the codes the EC2 API reports. */
public enum InstanceState {
    PENDING(0),
    RUNNING(16),
    SHUTTING_DOWN(32),
    TERMINATED(48),
    STOPPING(64),
    STOPPED(80);

    private final int code;

    InstanceState(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The external name: {@code shutting-down}. */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static InstanceState fromApiName(String name) {
        for (InstanceState s : values()) {
            if (s.apiName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException(name);
    }
}
