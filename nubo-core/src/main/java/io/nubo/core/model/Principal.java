package io.nubo.core.model;

/** The authenticated caller of a request: every query is scoped by {@code accountId}. */
public record Principal(String accountId, Role role, String accessKeyId) {
    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /** A reseller: it may also act on its own customers' accounts. */
    public boolean isPartner() {
        return role == Role.PARTNER;
    }
}
