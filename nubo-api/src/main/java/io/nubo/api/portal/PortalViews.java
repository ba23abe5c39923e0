package io.nubo.api.portal;

import io.nubo.control.users.UserService;
import io.nubo.core.model.User;

import java.time.Instant;
import java.util.Locale;

/** The JSON shapes of the portal's endpoints. */
public final class PortalViews {
    private PortalViews() {
    }

    public record UserView(String userId, String accountId, String email, String role, boolean enabled, Instant createdAt) {
    }

    /** Who is signed in; {@code operator} opens the operator pages. */
    public record SessionView(UserView user, String accountName, boolean operator, String csrfToken, Instant expiresAt) {
    }

    public record TicketView(String instanceId, String ticket, Instant expiresAt, String path) {
    }

    public static UserView user(User u) {
        return new UserView(u.id(), u.accountId(), u.email(), u.role().name().toLowerCase(Locale.ROOT), u.enabled(), u.createdAt());
    }

    static SessionView session(UserService.SessionUser u, String csrf, Instant expiresAt) {
        return new SessionView(user(u.user()), u.account().name(), u.operator(), csrf, expiresAt);
    }
}
