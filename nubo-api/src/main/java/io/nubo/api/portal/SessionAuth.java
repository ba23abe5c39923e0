package io.nubo.api.portal;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.nubo.control.users.Tokens;
import io.nubo.control.users.UserService;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Principal;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * The portal's session cookie and its CSRF defences. A state-changing request with the cookie
 * must carry the session's CSRF token in {@value #CSRF_HEADER}, and must not come from another
 * site ({@code Origin} and {@code Sec-Fetch-Site}, when the browser sends them). Bearer
 * requests never look at the cookie. Thread-safe.
 */
public final class SessionAuth {
    public static final String COOKIE = "nubo_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";

    private final UserService users;

    public SessionAuth(UserService users) {
        this.users = users;
    }

    /** The session's principal if the request carries a session cookie; throws if the cookie is stale or CSRF checks fail. */
    public Optional<Principal> authenticate(Context ctx) {
        String token = ctx.cookie(COOKIE);
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        UserService.LiveSession s = users.session(token).orElseThrow(() -> NuboException.of(ErrorCode.AUTH_FAILURE,
                "Your session has expired: sign in again"));
        if (isWrite(ctx.method())) {
            requireSameOrigin(ctx);
            if (!Tokens.same(s.csrfToken(), ctx.header(CSRF_HEADER))) {
                throw NuboException.of(ErrorCode.UNAUTHORIZED_OPERATION, "The request has no valid %s header", CSRF_HEADER);
            }
        }
        return Optional.of(s.user().principal());
    }

    /** Rejects a request that the browser says comes from another site. */
    public static void requireSameOrigin(Context ctx) {
        String site = ctx.header("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            throw crossSite();
        }
        String origin = ctx.header("Origin");
        if (origin != null && !sameOrigin(origin, ctx.header("Host"))) {
            throw crossSite();
        }
    }

    static boolean sameOrigin(String origin, String host) {
        if (host == null || origin.equals("null")) {
            return false;
        }
        try {
            URI u = URI.create(origin);
            String authority = u.getRawAuthority();
            return authority != null && authority.toLowerCase(Locale.ROOT).equals(host.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static NuboException crossSite() {
        return NuboException.of(ErrorCode.UNAUTHORIZED_OPERATION, "Cross-site requests are not allowed");
    }

    /** The Set-Cookie value for a new session, or for clearing it ({@code token} empty). */
    static String cookie(String token, long maxAgeSeconds, boolean secure) {
        return COOKIE + "=" + token + "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    static boolean isWrite(HandlerType t) {
        return t != HandlerType.GET && t != HandlerType.HEAD && t != HandlerType.OPTIONS;
    }
}
