package io.nubo.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.http.Context;
import io.nubo.api.Json;
import io.nubo.api.portal.SessionAuth;
import io.nubo.control.identity.IdentityService;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Principal;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs one REST call: authenticates the bearer key (or, without an Authorization header, the
 * portal's session cookie with its CSRF checks), checks the route's role and query
 * parameters, calls the handler and writes its answer as JSON. Thread-safe.
 */
public final class RestDispatcher {
    private final IdentityService identity;
    private final SessionAuth sessions;

    public RestDispatcher(IdentityService identity, SessionAuth sessions) {
        this.identity = identity;
        this.sessions = sessions;
    }

    public void handle(Route route, Context ctx) throws JsonProcessingException {
        Principal p = authenticate(ctx);
        RestRoutes.authorize(route, p);
        Set<String> allowed = route.query().stream().map(Route.QueryParam::name).collect(Collectors.toSet());
        for (String q : ctx.queryParamMap().keySet()) {
            if (!allowed.contains(q)) {
                throw NuboException.of(ErrorCode.UNKNOWN_PARAMETER, "The parameter %s is not recognized", q);
            }
        }
        Object result = route.handler().handle(new RestCall(ctx, p));
        if (result instanceof RawBody raw) {
            ctx.status(route.successStatus()).contentType(raw.contentType()).result(raw.body());
            return;
        }
        ctx.status(route.successStatus()).contentType("application/json").result(Json.MAPPER.writeValueAsBytes(result));
    }

    /** The caller: a bearer key when the request has an Authorization header, else the session cookie's user. */
    public Principal authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            Optional<Principal> session = sessions.authenticate(ctx);
            if (session.isPresent()) {
                return session.get();
            }
        }
        return authenticate(header);
    }

    private Principal authenticate(String header) {
        if (header == null || header.isBlank()) {
            throw NuboException.of(ErrorCode.AUTH_FAILURE, "The request has no Authorization header: use 'Bearer <access-key-id>:<secret>'");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw NuboException.of(ErrorCode.AUTH_FAILURE, "Unsupported authorization scheme: use 'Bearer <access-key-id>:<secret>'");
        }
        String token = header.substring(7).trim();
        int colon = token.indexOf(':');
        if (colon <= 0 || colon == token.length() - 1) {
            throw NuboException.of(ErrorCode.AUTH_FAILURE, "Malformed bearer token: use '<access-key-id>:<secret>'");
        }
        return identity.authenticate(token.substring(0, colon), token.substring(colon + 1));
    }
}
