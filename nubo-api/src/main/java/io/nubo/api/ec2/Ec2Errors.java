package io.nubo.api.ec2;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.nubo.api.ec2.xml.XmlOut;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become EC2 errors: the code and HTTP status come from
 * {@link ErrorCode}, which holds EC2's own; anything that is not a {@link NuboException} is an
 * {@code InternalError}, logged here. The body is
 * {@code <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>}.
 * Stateless.
 */
public final class Ec2Errors {
    private static final Logger LOG = LoggerFactory.getLogger(Ec2Errors.class);
    public static final String CONTENT_TYPE = "text/xml;charset=UTF-8";

    private Ec2Errors() {
    }

    /** The EC2 error for a failure. */
    public static NuboException translate(Throwable t) {
        if (t instanceof NuboException n) {
            return n;
        }
        if (t instanceof HttpResponseException h && h.getStatus() == 413) {
            return NuboException.of(ErrorCode.REQUEST_TOO_LARGE, "The request body is too large");
        }
        if (t instanceof HttpResponseException h && h.getStatus() < 500) {
            return NuboException.of(ErrorCode.INVALID_REQUEST, "The request is not valid: %s", h.getMessage());
        }
        return NuboException.of(ErrorCode.INTERNAL_ERROR, "An internal error has occurred");
    }

    public static void write(Context ctx, Throwable t, String requestId) {
        NuboException e = translate(t);
        if (e.errorCode() == ErrorCode.INTERNAL_ERROR && t != e) {
            LOG.error("EC2 request {} failed", requestId, t);
        }
        ctx.status(e.errorCode().httpStatus()).contentType(CONTENT_TYPE).result(body(e, requestId));
    }

    public static byte[] body(NuboException e, String requestId) {
        return XmlOut.document("Response", false, out -> {
            out.start("Errors").start("Error");
            out.text("Code", e.errorCode().code());
            out.text("Message", e.getMessage());
            out.end().end();
            out.text("RequestID", requestId);
        });
    }
}
