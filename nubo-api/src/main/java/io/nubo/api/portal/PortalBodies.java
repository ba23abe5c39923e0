package io.nubo.api.portal;

/** The JSON bodies of the portal's own endpoints and of the REST routes it added. */
public final class PortalBodies {
    private PortalBodies() {
    }

    public record Login(String email, String password) {
        @Override
        public String toString() {
            return "Login[" + email + ", password=***]";
        }
    }

    public record CreateUser(String email, String password, String role) {
        @Override
        public String toString() {
            return "CreateUser[" + email + ", " + role + ", password=***]";
        }
    }
}
