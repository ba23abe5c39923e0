package io.nubo.server.cli;

/** A CLI failure with a message for the user; {@code code} is the server's error code when there is one. */
public final class CliException extends RuntimeException {
    private final String code;

    public CliException(String message) {
        this(null, message);
    }

    public CliException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
