package io.nubo.core;

/** The one exception type of the service layer: a stable {@link ErrorCode} and a message for the caller. */
public class NuboException extends RuntimeException {
    private final ErrorCode errorCode;

    public NuboException(ErrorCode errorCode, String message) {
        super(message);
        this.errorCode = errorCode;
    }

    public ErrorCode errorCode() {
        return errorCode;
    }

    public static NuboException of(ErrorCode code, String format, Object... args) {
        return new NuboException(code, args.length == 0 ? format : String.format(format, args));
    }
}
