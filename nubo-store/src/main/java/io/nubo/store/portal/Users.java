package io.nubo.store.portal;

import io.nubo.core.model.Role;
import io.nubo.core.model.User;
import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Portal users. E-mails are unique regardless of case. Not thread-safe (bound to one handle). */
public final class Users {
    private static final String COLUMNS = "id, account_id, email, role, enabled, created_at";
    private final Handle h;

    public Users(Handle h) {
        this.h = h;
    }

    /** A user with their password hash, for checking a log-in. */
    public record WithHash(User user, String passwordHash) {
        @Override
        public String toString() {
            return "WithHash[" + user + ", passwordHash=***]";
        }
    }

    public void insert(User u, String passwordHash) {
        h.createUpdate("INSERT INTO users (" + COLUMNS + ", password_hash) VALUES (:id, :a, :e, :r, :en, :at, :ph)")
                .bind("id", u.id()).bind("a", u.accountId()).bind("e", u.email()).bind("r", u.role().name().toLowerCase(Locale.ROOT))
                .bind("en", u.enabled()).bind("at", PortalRows.utc(u.createdAt())).bind("ph", passwordHash).execute();
    }

    public Optional<User> find(String id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM users WHERE id = :id").bind("id", id).map((rs, c) -> map(rs)).findOne();
    }

    public Optional<WithHash> findByEmail(String email) {
        return h.createQuery("SELECT " + COLUMNS + ", password_hash FROM users WHERE lower(email) = lower(:e)").bind("e", email)
                .map((rs, c) -> new WithHash(map(rs), rs.getString("password_hash"))).findOne();
    }

    public boolean emailTaken(String email) {
        return h.createQuery("SELECT count(*) FROM users WHERE lower(email) = lower(:e)").bind("e", email).mapTo(Long.class).one() > 0;
    }

    public List<User> listForAccount(String accountId) {
        return h.createQuery("SELECT " + COLUMNS + " FROM users WHERE account_id = :a ORDER BY created_at, id").bind("a", accountId)
                .map((rs, c) -> map(rs)).list();
    }

    /** Whether any user of an operator (admin) account exists. */
    public boolean anyInAdminAccount() {
        return h.createQuery("SELECT count(*) FROM users u JOIN accounts a ON a.id = u.account_id WHERE a.role = 'admin'")
                .mapTo(Long.class).one() > 0;
    }

    public void setEnabled(String id, boolean enabled) {
        h.createUpdate("UPDATE users SET enabled = :e WHERE id = :id").bind("e", enabled).bind("id", id).execute();
    }

    public void setPasswordHash(String id, String passwordHash) {
        h.createUpdate("UPDATE users SET password_hash = :ph WHERE id = :id").bind("ph", passwordHash).bind("id", id).execute();
    }

    private static User map(ResultSet rs) throws SQLException {
        return new User(rs.getString("id"), rs.getString("account_id"), rs.getString("email"),
                Role.valueOf(rs.getString("role").toUpperCase(Locale.ROOT)), rs.getBoolean("enabled"), PortalRows.instant(rs, "created_at"));
    }
}
