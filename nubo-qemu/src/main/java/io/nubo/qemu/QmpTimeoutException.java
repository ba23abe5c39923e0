package io.nubo.qemu;

import java.time.Duration;

/**
 * No reply came within the command's timeout. QEMU may still run the command later; its late
 * reply is dropped, because replies are matched by {@code id}.
 */
public final class QmpTimeoutException extends QmpException {
    private final Duration timeout;

    QmpTimeoutException(String command, Duration timeout, String hint) {
        super(command, command + ": " + (hint != null ? hint : "no QMP reply within " + timeout.toMillis() + " ms"), null);
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }
}
