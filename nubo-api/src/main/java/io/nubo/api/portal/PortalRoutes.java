package io.nubo.api.portal;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import io.nubo.api.Json;
import io.nubo.api.rest.Problems;
import io.nubo.api.rest.Views;
import io.nubo.control.ControlPlane;
import io.nubo.control.events.EventFeed;
import io.nubo.control.users.UserService;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Event;
import io.nubo.core.model.Principal;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The portal's own endpoints, beside the REST API it otherwise uses like any client:
 * <ul>
 *   <li>{@code /ui/...}: the single-page app ({@link StaticPortal});</li>
 *   <li>{@code POST|GET|DELETE /portal/session}: sign in (rate-limited), who am I, sign out;</li>
 *   <li>{@code GET /portal/events}: the caller's events as server-sent events, live;</li>
 *   <li>{@code WS /portal/console/{instanceId}?ticket=...}: the VM's VNC, relayed ({@link ConsoleRelay}).</li>
 * </ul>
 */
public final class PortalRoutes {
    public static final String SESSION = "/portal/session";
    public static final String EVENTS = "/portal/events";
    public static final String CONSOLE_PREFIX = "/portal/console/";

    private PortalRoutes() {
    }

    /**
     * Registers the portal's routes. {@code authenticate} is the REST API's own authentication
     * (bearer key, else session cookie with CSRF checks).
     */
    public static void register(RoutesConfig routes, ControlPlane cp, Function<Context, Principal> authenticate) {
        UserService users = cp.users();
        StaticPortal ui = new StaticPortal();
        // Javalin ignores trailing slashes in routes: /ui and /ui/ reach the same handler.
        routes.get("/ui", ctx -> {
            if (ctx.req().getRequestURI().endsWith("/")) {
                ui.serve(ctx);
            } else {
                ctx.redirect("/ui/");
            }
        });
        routes.get("/ui/<path>", ui::serve);

        routes.post(SESSION, ctx -> {
            SessionAuth.requireSameOrigin(ctx);
            String type = ctx.contentType();
            if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
                throw NuboException.of(ErrorCode.INVALID_REQUEST, "Send the e-mail and password as application/json");
            }
            PortalBodies.Login login = body(ctx, PortalBodies.Login.class);
            UserService.NewSession s;
            try {
                s = users.login(login.email(), login.password());
            } catch (UserService.Throttled e) {
                ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
                throw e;
            }
            ctx.header("Set-Cookie", SessionAuth.cookie(s.token(), UserService.SESSION_TTL.toSeconds(), isHttps(ctx)));
            ctx.header("Cache-Control", "no-store");
            json(ctx, 201, PortalViews.session(s.user(), s.csrfToken(), s.expiresAt()));
        });
        routes.get(SESSION, ctx -> {
            String token = ctx.cookie(SessionAuth.COOKIE);
            UserService.LiveSession s = (token == null ? java.util.Optional.<UserService.LiveSession>empty() : users.session(token))
                    .orElseThrow(() -> NuboException.of(ErrorCode.AUTH_FAILURE, "You are not signed in"));
            ctx.header("Cache-Control", "no-store");
            json(ctx, 200, PortalViews.session(s.user(), s.csrfToken(), s.expiresAt()));
        });
        routes.delete(SESSION, ctx -> {
            String token = ctx.cookie(SessionAuth.COOKIE);
            if (token != null) {
                authenticate.apply(ctx); // CSRF: only the page itself may sign its user out
                users.logout(token);
            }
            ctx.header("Set-Cookie", SessionAuth.cookie("", 0, isHttps(ctx)));
            ctx.status(204);
        });

        routes.get(EVENTS, ctx -> {
            Principal p = authenticate.apply(ctx);
            long after = lastEventId(ctx);
            new SseHandler(client -> stream(client, cp.eventFeed(), p, after)).handle(ctx);
        });

        new ConsoleRelay(cp.consoleTickets()).register(routes, CONSOLE_PREFIX + "{instanceId}");
    }

    /** Streams events to one client from its own virtual thread, so a slow client never holds up the feed. */
    private static void stream(SseClient client, EventFeed feed, Principal p, long after) {
        client.keepAlive();
        LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>(10_000);
        EventFeed.Subscription sub = feed.subscribe(p, after, e -> {
            if (!queue.offer(e)) {
                client.close(); // too far behind: the browser reconnects with Last-Event-ID
            }
        });
        client.onClose(sub::close);
        client.sendComment("connected");
        Thread.ofVirtual().name("sse-" + p.accountId()).start(() -> {
            try {
                while (!client.terminated()) {
                    Event e = queue.poll(Duration.ofSeconds(15).toMillis(), TimeUnit.MILLISECONDS);
                    if (e == null) {
                        client.sendComment("keep-alive");
                    } else {
                        client.sendEvent("event", Json.MAPPER.writeValueAsString(Views.event(e)), Long.toString(e.id()));
                    }
                }
            } catch (InterruptedException | IOException | RuntimeException e) {
                client.close();
            } finally {
                sub.close();
            }
        });
    }

    private static long lastEventId(Context ctx) {
        String v = ctx.header("Last-Event-ID");
        if (v == null) {
            v = ctx.queryParam("after");
        }
        if (v == null || v.isEmpty()) {
            return -1;
        }
        try {
            long id = Long.parseLong(v);
            if (id < 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid event ID '%s'", v);
        }
    }

    private static <T> T body(Context ctx, Class<T> type) {
        try {
            T v = Json.MAPPER.readValue(ctx.bodyAsBytes(), type);
            if (v == null) {
                throw NuboException.of(ErrorCode.INVALID_REQUEST, "The request body must be a JSON object");
            }
            return v;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw Problems.fromJson(e);
        } catch (IOException e) {
            throw NuboException.of(ErrorCode.INVALID_REQUEST, "The request body could not be read");
        }
    }

    private static void json(Context ctx, int status, Object body) throws IOException {
        ctx.status(status).contentType("application/json").result(Json.MAPPER.writeValueAsBytes(body));
    }

    private static boolean isHttps(Context ctx) {
        return "https".equalsIgnoreCase(ctx.scheme()) || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
    }
}
