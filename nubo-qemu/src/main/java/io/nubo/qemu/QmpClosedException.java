package io.nubo.qemu;

/**
 * The QMP connection closed before the command got its reply, or was already closed. Usually
 * QEMU exited; whether the command took effect is unknown.
 */
public final class QmpClosedException extends QmpException {
    QmpClosedException(String command, String reason, Throwable cause) {
        super(command, command + ": QMP connection closed (" + reason + ")", cause);
    }
}
