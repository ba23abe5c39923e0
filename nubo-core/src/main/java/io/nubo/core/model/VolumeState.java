package io.nubo.core.model;

/** EC2's volume states. A {@code deleted} volume is gone from every listing; its row stays for the event log. */
public enum VolumeState {
    CREATING("creating"), AVAILABLE("available"), IN_USE("in-use"), DELETING("deleting"), DELETED("deleted"), ERROR("error");

    private final String apiName;

    VolumeState(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }

    public static VolumeState fromApiName(String name) {
        for (VolumeState s : values()) {
            if (s.apiName.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no volume state " + name);
    }
}
