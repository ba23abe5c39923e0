package io.nubo.api.ec2;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.nubo.api.ApiServer;
import io.nubo.api.ec2.query.FormDecoder;
import io.nubo.api.ec2.query.Params;
import io.nubo.api.ec2.sigv4.SignedRequest;
import io.nubo.api.ec2.sigv4.SigV4Verifier;
import io.nubo.api.ec2.xml.ByteChunks;
import io.nubo.api.ec2.xml.XmlOut;
import io.nubo.control.ControlPlane;
import io.nubo.control.network.Topology;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Principal;
import io.nubo.store.DryRun;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The EC2 Query API at {@code POST /} and {@code GET /}: verifies SigV4, reads the parameters,
 * looks the action up in {@link Ec2Actions}, runs its command (or, with {@code DryRun}, validates
 * it) and answers in EC2's XML. Every failure is answered by {@link Ec2Errors}. Thread-safe.
 */
public final class Ec2Endpoint {
    public static final String PATH = "/";
    public static final Set<String> VERSIONS = Set.of("2016-11-15");
    public static final String SERVICE = "ec2";

    private final ControlPlane services;
    private final SigV4Verifier verifier;
    private final Ec2Throttle throttle;

    public Ec2Endpoint(ControlPlane services, Clock clock, Ec2Throttle throttle) {
        this.services = services;
        this.verifier = new SigV4Verifier(Topology.REGION, SERVICE, clock);
        this.throttle = throttle;
    }

    public void register(RoutesConfig routes) {
        routes.get(PATH, this::handle);
        routes.post(PATH, this::handle);
    }

    /** True for requests this endpoint answers, whose errors must be EC2 XML too. */
    public static boolean handles(Context ctx) {
        return PATH.equals(ctx.path());
    }

    public void handle(Context ctx) throws IOException {
        String requestId = requestId(ctx);
        ByteChunks xml;
        try {
            SignedRequest signed = new SignedRequest(ctx.method().name(), ctx.path(), ctx.queryString(), headers(ctx), body(ctx));
            Principal caller = verifier.verify(signed, services.identity()::lookup);
            Params params = Params.of(parameters(ctx, signed));
            String action = params.required("Action");
            String version = params.required("Version");
            if (!VERSIONS.contains(version)) {
                throw NuboException.of(ErrorCode.NO_SUCH_VERSION, "The requested version (%s) of service AmazonEC2 does not exist", version);
            }
            var parser = Ec2Actions.parser(action).orElseThrow(() -> NuboException.of(ErrorCode.INVALID_ACTION,
                    "The action %s is not valid for this web service.", action));
            boolean dryRun = params.bool("DryRun").orElse(false);
            Ec2Command command = parser.apply(params);
            params.requireAllRead();
            throttle.admit(caller.accountId(), action, params.names(), instances(action, params));
            Ec2Context context = new Ec2Context(caller, services, ctx.host());
            if (dryRun) {
                DryRun.check(() -> command.execute(context));
                throw NuboException.of(ErrorCode.DRY_RUN_OPERATION, "Request would have succeeded, but DryRun flag is set.");
            }
            Ec2Reply reply = command.execute(context);
            // In chunks, never one array: see ByteChunks (a full DescribeInstances is over 1 MB).
            xml = XmlOut.chunks(action + "Response", true, out -> {
                out.text("requestId", requestId);
                reply.write(out);
            });
        } catch (Exception e) {
            Ec2Errors.write(ctx, e, requestId);
            return;
        }
        // Written straight to the response stream (Javalin's, which compresses when asked): a
        // result stream would be copied there through a new 32 KiB buffer per request.
        ctx.status(200).contentType(Ec2Errors.CONTENT_TYPE);
        xml.writeTo(ctx.outputStream());
    }

    /** How many instances a request launches or names, for the throttle's resource buckets. */
    private static int instances(String action, Params params) {
        if (action.equals("RunInstances")) {
            return params.integer("MaxCount").orElse(1);
        }
        int n = 0;
        for (String name : params.names()) {
            if (name.startsWith("InstanceId.")) {
                n++;
            }
        }
        return n;
    }

    /** Answers a failure that happened before the handler ran (the body was too large, say). */
    public void fail(Context ctx, Exception e) {
        Ec2Errors.write(ctx, e, requestId(ctx));
    }

    /**
     * The action's parameters: the query string's (without the SigV4 {@code X-Amz-*} ones) and a
     * form body's.
     */
    private static List<Map.Entry<String, String>> parameters(Context ctx, SignedRequest r) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (Map.Entry<String, String> e : FormDecoder.pairs(r.rawQuery())) {
            if (!e.getKey().startsWith("X-Amz-")) {
                out.add(e);
            }
        }
        if (r.body().length > 0) {
            String type = String.valueOf(ctx.contentType()).toLowerCase(Locale.ROOT);
            if (!type.startsWith("application/x-www-form-urlencoded")) {
                throw NuboException.of(ErrorCode.INVALID_REQUEST,
                        "The body must be application/x-www-form-urlencoded (it is %s)", ctx.contentType());
            }
            out.addAll(FormDecoder.pairs(r.body()));
        }
        return out;
    }

    /**
     * The raw body, read into an array of its declared length. Javalin's {@code bodyAsBytes}
     * reads every body through a new 8 KiB buffer into a growing one: a fifth of a small
     * request's allocation, and young collections' pauses are what a small describe's p99 is made
     * of. The server refuses a declared length over {@link ApiServer#MAX_BODY_BYTES} before this.
     */
    private static byte[] body(Context ctx) throws IOException {
        int declared = ctx.req().getContentLength();
        InputStream in = ctx.req().getInputStream();
        byte[] body = declared >= 0 && declared <= ApiServer.MAX_BODY_BYTES ? in.readNBytes(declared)
                : in.readNBytes((int) ApiServer.MAX_BODY_BYTES + 1);
        if (body.length > ApiServer.MAX_BODY_BYTES || (declared >= 0 && in.read() != -1)) {
            throw NuboException.of(ErrorCode.REQUEST_TOO_LARGE, "The request body is larger than %d bytes", ApiServer.MAX_BODY_BYTES);
        }
        return body;
    }

    private static Map<String, List<String>> headers(Context ctx) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String name : Collections.list(ctx.req().getHeaderNames())) {
            out.computeIfAbsent(name, n -> new ArrayList<>()).addAll(Collections.list(ctx.req().getHeaders(name)));
        }
        return out;
    }

    private static String requestId(Context ctx) {
        String id = ctx.attribute(io.nubo.api.ApiServer.REQUEST_ID);
        return id == null ? UUID.randomUUID().toString() : id;
    }
}
