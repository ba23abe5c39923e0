package io.nubo.qemu;

/**
 * A QMP command did not succeed. The subtypes say why: QEMU refused it ({@link QmpCommandException}),
 * no reply came in time ({@link QmpTimeoutException}), or the connection went away
 * ({@link QmpClosedException}). Each carries the name of the command it is about.
 */
public sealed class QmpException extends RuntimeException
        permits QmpCommandException, QmpTimeoutException, QmpClosedException {
    private final String command;

    QmpException(String command, String message, Throwable cause) {
        super(message, cause);
        this.command = command;
    }

    /** The QMP command, e.g. {@code query-status}; for failures while connecting, {@code qmp_capabilities} or {@code greeting}. */
    public String command() {
        return command;
    }
}
