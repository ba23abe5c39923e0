package io.nubo.qemu;

/**
 * Why a {@link QmpClient} connection ended. {@code byClient} is true when {@link QmpClient#close()}
 * ended it; otherwise the peer went away (for QEMU, almost always: the process exited) or the
 * stream broke, and {@code detail} says how.
 */
public record QmpDisconnect(boolean byClient, String detail) {
}
