package io.nubo.api.portal;

import io.javalin.http.HandlerType;
import io.nubo.api.rest.Bodies;
import io.nubo.api.rest.RestRoutes;
import io.nubo.api.rest.Route;
import io.nubo.api.rest.Views;
import io.nubo.control.ControlPlane;

import java.util.List;
import java.util.Optional;

/**
 * The REST routes the portal added: users of an account and console tickets. They are part of
 * the one route table (and so of the OpenAPI document), and work with bearer keys as with
 * sessions. Handlers only translate.
 */
public final class PortalRestRoutes {
    private PortalRestRoutes() {
    }

    public static List<Route> all(ControlPlane cp) {
        var users = cp.users();
        var tickets = cp.consoleTickets();
        var operator = cp.operatorQueries();
        return List.of(
                new Route(HandlerType.GET, RestRoutes.BASE + "/operator/instances", "listAllInstances",
                        "Every instance of every account (admin)", true, 200, Optional.empty(), List.of(),
                        c -> new Views.InstanceList(operator.allInstances(c.principal()).stream().map(i -> Views.instance(i, c.principal())).toList(), null)),
                new Route(HandlerType.GET, RestRoutes.BASE + "/operator/events", "listAllEvents", "The event log of every account (admin)", true,
                        200, Optional.empty(), List.of(new Route.QueryParam("after", "integer", "return events after this event ID"),
                        new Route.QueryParam("limit", "integer", "page size, 1 to 1000 (default 100)"),
                        new Route.QueryParam("account", "string", "only this account's events")),
                        c -> {
                            long after = c.queryLong("after", 0);
                            return Views.events(operator.events(c.principal(), c.query("account"), after, c.queryInt("limit", 100)), after);
                        }),
                route(HandlerType.GET, "/accounts/{accountId}/users", "listUsers", "List an account's portal users",
                        null, 200, c -> users.list(c.principal(), c.path("accountId")).stream().map(PortalViews::user).toList()),
                route(HandlerType.POST, "/accounts/{accountId}/users", "createUser",
                        "Create a portal user with an initial password (operators, or the account's admins)",
                        PortalBodies.CreateUser.class, 201, c -> {
                            var b = c.body(PortalBodies.CreateUser.class);
                            return PortalViews.user(users.create(c.principal(), c.path("accountId"), b.email(), b.password(), b.role()));
                        }),
                route(HandlerType.POST, "/users/{userId}/disable", "disableUser", "Disable a portal user and end their sessions",
                        Bodies.Empty.class, 200, c -> {
                            c.body(Bodies.Empty.class);
                            return PortalViews.user(users.setEnabled(c.principal(), c.path("userId"), false));
                        }),
                route(HandlerType.POST, "/users/{userId}/enable", "enableUser", "Enable a portal user again",
                        Bodies.Empty.class, 200, c -> {
                            c.body(Bodies.Empty.class);
                            return PortalViews.user(users.setEnabled(c.principal(), c.path("userId"), true));
                        }),
                route(HandlerType.POST, "/instances/{instanceId}/console-ticket", "createConsoleTicket",
                        "A one-time ticket, valid for 60 s, to open the running instance's graphical console (VNC over a WebSocket)",
                        Bodies.Empty.class, 201, c -> {
                            c.body(Bodies.Empty.class);
                            var t = tickets.issue(c.principal(), c.path("instanceId"));
                            return new PortalViews.TicketView(t.instanceId(), t.ticket(), t.expiresAt(),
                                    PortalRoutes.CONSOLE_PREFIX + t.instanceId() + "?ticket=" + t.ticket());
                        }));
    }

    private static Route route(HandlerType method, String path, String operationId, String summary, Class<? extends Record> body,
                               int status, Route.RestHandler handler) {
        return new Route(method, RestRoutes.BASE + path, operationId, summary, false, status, Optional.ofNullable(body), List.of(), handler);
    }
}
