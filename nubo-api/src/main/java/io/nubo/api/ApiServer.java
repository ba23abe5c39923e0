package io.nubo.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.nubo.api.agent.AgentEndpoint;
import io.nubo.api.ec2.Ec2Endpoint;
import io.nubo.api.ec2.Ec2Throttle;
import io.nubo.api.portal.PortalRestRoutes;
import io.nubo.api.portal.PortalRoutes;
import io.nubo.api.portal.SessionAuth;
import io.nubo.api.rest.OpenApi;
import io.nubo.api.rest.Problems;
import io.nubo.api.rest.RestDispatcher;
import io.nubo.api.rest.RestRoutes;
import io.nubo.api.rest.Route;
import io.nubo.control.ControlPlane;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * The HTTP server: the EC2 Query API at {@code /}, the REST API, the OpenAPI document, health and
 * metrics, on one port. Javalin on Jetty with virtual threads. Thread-safe once started.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    /** The largest request body accepted; user data (16 KiB, base64) fits with room to spare. */
    public static final long MAX_BODY_BYTES = 64 * 1024;
    /**
     * A body refused for its size is read and dropped up to this size before the answer goes out.
     * Answering while the client still sends, and then closing, made the client's TCP stack reset
     * the connection now and then before it had read the 413 (a client saw no answer at all).
     */
    private static final long LINGER_BYTES = 1L << 20;
    public static final String REQUEST_ID = "nubo.requestId";

    private final Javalin app;
    private final List<String> registered = new CopyOnWriteArrayList<>();
    private final List<Route> routes;

    /** What /healthz checks, besides the API itself. */
    public record Health(BooleanSupplier database, BooleanSupplier localAgent) {
    }

    /** With EC2's request throttling at the rates EC2 documents. */
    public ApiServer(ControlPlane cp, Health health, String version) {
        this(cp, health, version, new Ec2Throttle(1));
    }

    public ApiServer(ControlPlane cp, Health health, String version, Ec2Throttle throttle) {
        this.routes = java.util.stream.Stream.concat(RestRoutes.all(cp).stream(), PortalRestRoutes.all(cp).stream()).toList();
        Metrics metrics = new Metrics(cp);
        RestDispatcher dispatcher = new RestDispatcher(cp.identity(), new SessionAuth(cp.users()));
        Ec2Endpoint ec2 = new Ec2Endpoint(cp, Clock.systemUTC(), throttle);
        byte[] openApi = openApiBytes(version);
        this.app = Javalin.create(cfg -> {
            cfg.concurrency.useVirtualThreads = true;
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.http.maxRequestSize = MAX_BODY_BYTES;
            cfg.events.handlerAdded(h -> registered.add(h.getHttpMethod().name() + " " + h.getPath()));
            cfg.requestLogger.http((ctx, ms) -> {
                var endpoint = ctx.endpoints().lastHttpEndpoint();
                String route = endpoint == null ? "unmatched" : endpoint.path;
                metrics.recordRequest(ctx.method().name(), route, ctx.statusCode(), Duration.ofNanos((long) (ms * 1_000_000)));
            });
            cfg.routes.before(ctx -> {
                String id = UUID.randomUUID().toString();
                ctx.attribute(REQUEST_ID, id);
                ctx.header("x-nubo-request-id", id);
                String length = ctx.header("Content-Length");
                // A disk image upload is streamed to its storage pool, never held in memory: it may be large.
                // An agent's complete report lists every VM of its host: the agent endpoint sets its own, larger limit.
                boolean upload = ctx.path().equals(io.nubo.api.rest.ImageRoutes.UPLOAD_PATH) || AgentEndpoint.handles(ctx);
                if (length != null && parseLength(length) > MAX_BODY_BYTES && !upload) {
                    lingerOrClose(ctx, parseLength(length));
                    throw NuboException.of(ErrorCode.REQUEST_TOO_LARGE, "The request body is larger than %d bytes", MAX_BODY_BYTES);
                }
            });
            cfg.routes.get("/healthz", ctx -> {
                boolean db = health.database().getAsBoolean();
                boolean agent = health.localAgent().getAsBoolean();
                ctx.status(db && agent ? 200 : 503).contentType("application/json")
                        .result(Json.MAPPER.writeValueAsBytes(Map.of("api", "up", "database", db ? "up" : "down",
                                "agent", agent ? "up" : "down")));
            });
            cfg.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
            cfg.routes.get(RestRoutes.BASE + "/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
            for (Route r : routes) {
                cfg.routes.addHttpHandler(r.method(), r.path(), ctx -> dispatcher.handle(r, ctx));
            }
            ec2.register(cfg.routes);
            new AgentEndpoint(cp.agents(), cp.enrollment(), cp.remoteConsoles(), cp.storagePools()).register(cfg.routes);
            PortalRoutes.register(cfg.routes, cp, dispatcher::authenticate);
            cfg.routes.exception(NuboException.class, (e, ctx) -> {
                if (Ec2Endpoint.handles(ctx)) {
                    ec2.fail(ctx, e);
                } else {
                    Problems.write(ctx, e, requestId(ctx));
                }
            });
            cfg.routes.exception(HttpResponseException.class, (e, ctx) -> Problems.write(ctx, fromHttp(e), requestId(ctx)));
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("request {} {} failed", ctx.method(), ctx.path(), e);
                Problems.write(ctx, NuboException.of(ErrorCode.INTERNAL_ERROR, "An internal error has occurred"), requestId(ctx));
            });
            cfg.routes.error(404, ctx -> {
                if (ctx.result() == null) {
                    Problems.write(ctx, NuboException.of(ErrorCode.NOT_FOUND, "No such resource: %s %s", ctx.method(), ctx.path()),
                            requestId(ctx));
                }
            });
            cfg.routes.error(405, ctx -> Problems.write(ctx, NuboException.of(ErrorCode.METHOD_NOT_ALLOWED,
                    "%s is not allowed on %s", ctx.method(), ctx.path()), requestId(ctx)));
        });
    }

    private byte[] openApiBytes(String version) {
        try {
            return Json.MAPPER.writeValueAsBytes(OpenApi.document(routes, version));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Drops a refused body the client is still sending, if small enough; else tells the client the connection ends. */
    private static void lingerOrClose(io.javalin.http.Context ctx, long length) {
        if (length > LINGER_BYTES) {
            ctx.header("Connection", "close");
            return;
        }
        try (java.io.InputStream in = ctx.req().getInputStream()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (java.io.IOException e) {
            ctx.header("Connection", "close");
        }
    }

    private static long parseLength(String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw NuboException.of(ErrorCode.INVALID_REQUEST, "Invalid Content-Length");
        }
    }

    private static NuboException fromHttp(HttpResponseException e) {
        return switch (e.getStatus()) {
            case 413 -> NuboException.of(ErrorCode.REQUEST_TOO_LARGE, "The request body is larger than %d bytes", MAX_BODY_BYTES);
            case 404 -> NuboException.of(ErrorCode.NOT_FOUND, e.getMessage());
            case 405 -> NuboException.of(ErrorCode.METHOD_NOT_ALLOWED, e.getMessage());
            default -> e.getStatus() < 500 ? NuboException.of(ErrorCode.INVALID_REQUEST, e.getMessage())
                    : NuboException.of(ErrorCode.INTERNAL_ERROR, "An internal error has occurred");
        };
    }

    static String requestId(Context ctx) {
        String id = ctx.attribute(REQUEST_ID);
        return id == null ? UUID.randomUUID().toString() : id;
    }

    public ApiServer start(String host, int port) {
        app.start(host, port);
        return this;
    }

    public int port() {
        return app.port();
    }

    /** Every "METHOD path" registered with the router. */
    public List<String> registeredRoutes() {
        return List.copyOf(registered);
    }

    public List<Route> routes() {
        return routes;
    }

    @Override
    public void close() {
        app.stop();
    }

    static boolean isWrite(HandlerType t) {
        return t != HandlerType.GET && t != HandlerType.HEAD;
    }
}
