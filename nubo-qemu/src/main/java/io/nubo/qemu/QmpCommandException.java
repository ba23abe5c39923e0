package io.nubo.qemu;

/**
 * QEMU answered a command with an {@code error} reply. {@link #errorClass()} is QMP's
 * {@code class} (e.g. {@code GenericError}, {@code CommandNotFound}, {@code DeviceNotFound}),
 * stable enough to branch on; {@link #description()} is QEMU's human text, which is not.
 */
public final class QmpCommandException extends QmpException {
    private final String errorClass;
    private final String description;

    QmpCommandException(String command, String errorClass, String description) {
        super(command, command + " failed: " + errorClass + ": " + description, null);
        this.errorClass = errorClass;
        this.description = description;
    }

    public String errorClass() {
        return errorClass;
    }

    public String description() {
        return description;
    }
}
