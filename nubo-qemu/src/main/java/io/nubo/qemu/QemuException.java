package io.nubo.qemu;

/**
 * Running {@code qemu-system-*} or {@code qemu-img} failed: the launcher or tool exited with an
 * error, timed out, or left no trace of the process it should have started. The message carries
 * what the tool printed.
 */
public class QemuException extends RuntimeException {
    public QemuException(String message) {
        super(message);
    }

    public QemuException(String message, Throwable cause) {
        super(message, cause);
    }
}
