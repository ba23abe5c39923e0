package io.nubo.core.model;

/**
 * EC2's attachment states. {@code attaching} and {@code detaching} last until the instance's host
 * reports the disk there or gone; a {@code detached} attachment is deleted, its history is in
 * the event log.
 */
public enum AttachmentState {
    ATTACHING("attaching"), ATTACHED("attached"), DETACHING("detaching"), DETACHED("detached");

    private final String apiName;

    AttachmentState(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }

    public static AttachmentState fromApiName(String name) {
        for (AttachmentState s : values()) {
            if (s.apiName.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no attachment state " + name);
    }
}
