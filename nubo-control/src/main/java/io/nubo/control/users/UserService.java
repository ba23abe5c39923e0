package io.nubo.control.users;

import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.model.Account;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Role;
import io.nubo.core.model.User;
import io.nubo.store.Database;
import io.nubo.store.Store;
import io.nubo.store.portal.LoginThrottle;
import io.nubo.store.portal.Sessions;
import io.nubo.store.portal.Users;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Portal users, their log-ins and sessions. Thread-safe.
 *
 * <ul>
 *   <li>Passwords are Argon2id hashes ({@link PasswordHasher}); a log-in for an unknown e-mail
 *       costs the same hash, so timing does not tell which e-mails exist.</li>
 *   <li>{@value #FREE_FAILURES} failed log-ins in a row for one e-mail block further attempts for
 *       {@link #FIRST_BLOCK}, doubling with each further failure up to {@link #MAX_BLOCK}; while
 *       blocked, even the right password is refused ({@code TooManyRequests}).</li>
 *   <li>A session is a random token whose SHA-256 is stored, with its own CSRF token; it lasts
 *       {@link #SESSION_TTL}. Its caller acts as the user's account: an operator only when the
 *       account is the operator's and the user is its admin.</li>
 * </ul>
 */
public final class UserService {
    public static final Duration SESSION_TTL = Duration.ofHours(12);
    public static final int FREE_FAILURES = 10;
    public static final Duration FIRST_BLOCK = Duration.ofSeconds(30);
    public static final Duration MAX_BLOCK = Duration.ofMinutes(15);
    public static final String FIRST_ADMIN_EMAIL = "admin@nubo.local";
    static final int MIN_PASSWORD = 12;
    static final int MAX_PASSWORD = 256;
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,189}");
    /** Session principals carry the user's ID where key principals carry the access key's. */
    public static final String USER_PREFIX = "u";

    private final Database db;
    private final Clock clock;
    private final PasswordHasher hasher = new PasswordHasher();
    /** What an unknown e-mail's password is checked against, so that it takes as long as a known one's; made on first need (an Argon2 hash costs start-up time). */
    private final java.util.function.Supplier<String> dummyHash = new java.util.function.Supplier<>() {
        private volatile String hash;

        @Override
        public String get() {
            String h = hash;
            if (h == null) {
                h = hasher.hash(Tokens.next());
                hash = h;
            }
            return h;
        }
    };

    public UserService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** The first operator's e-mail and password, returned once, when they are created. */
    public record FirstAdmin(String email, String password) {
        @Override
        public String toString() {
            return "FirstAdmin[" + email + ", password=***]";
        }
    }

    /** A new session: the cookie's token, its CSRF token, and who it is. */
    public record NewSession(String token, String csrfToken, Instant expiresAt, SessionUser user) {
        @Override
        public String toString() {
            return "NewSession[" + user + ", expires " + expiresAt + "]";
        }
    }

    /** Who a session belongs to, as the portal shows it. */
    public record SessionUser(User user, Account account, Principal principal) {
        public boolean operator() {
            return principal.isAdmin();
        }
    }

    /** A live session: its user and its CSRF token. */
    public record LiveSession(SessionUser user, String csrfToken, Instant expiresAt) {
        @Override
        public String toString() {
            return "LiveSession[" + user + "]";
        }
    }

    /** Creates the operator's first user if the operator's account has none; returns its password only then. */
    public Optional<FirstAdmin> bootstrapOperator(String adminAccountId) {
        String password = Tokens.password(20);
        String hash = hasher.hash(password);
        return db.inTransaction(s -> {
            s.handle().execute("SELECT pg_advisory_xact_lock(4243)");
            Users users = new Users(s.handle());
            if (users.anyInAdminAccount()) {
                return Optional.empty();
            }
            Account a = s.accounts().find(adminAccountId).filter(x -> x.role() == Role.ADMIN)
                    .orElseThrow(() -> new IllegalStateException("no operator account " + adminAccountId));
            User u = new User(Ids.next(USER_PREFIX), a.id(), FIRST_ADMIN_EMAIL, Role.ADMIN, true, clock.instant());
            users.insert(u, hash);
            s.events().append(clock.instant(), a.id(), u.id(), "user.created", null, "enabled", "bootstrap");
            return Optional.of(new FirstAdmin(FIRST_ADMIN_EMAIL, password));
        });
    }

    /** Creates a user in {@code accountId}; operators may do so in any account, account admins in their own. */
    public User create(Principal caller, String accountId, String email, String password, String role) {
        if (email == null || email.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter email");
        }
        if (password == null) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter password");
        }
        if (email.length() > 254 || !EMAIL.matcher(email).matches()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid e-mail address '%s'", email);
        }
        checkPassword(password);
        Role r = parseRole(role);
        String hash = hasher.hash(password);
        return db.inTransaction(s -> {
            Account account = manageableAccount(s, caller, accountId);
            s.handle().execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE");
            Users users = new Users(s.handle());
            if (users.emailTaken(email)) {
                throw NuboException.of(ErrorCode.INVALID_USER_DUPLICATE, "A user with the e-mail '%s' already exists", email);
            }
            User u = new User(Ids.next(USER_PREFIX), account.id(), email, r, true, clock.instant());
            users.insert(u, hash);
            s.events().append(clock.instant(), account.id(), u.id(), "user.created", null, "enabled", "by " + caller.accessKeyId());
            return u;
        });
    }

    public List<User> list(Principal caller, String accountId) {
        return db.read(s -> {
            Account a = visibleAccount(s, caller, accountId);
            return new Users(s.handle()).listForAccount(a.id());
        });
    }

    /** Enables or disables a user; disabling ends their sessions. */
    public User setEnabled(Principal caller, String userId, boolean enabled) {
        return db.inTransaction(s -> {
            Users users = new Users(s.handle());
            User u = users.find(userId).orElseThrow(() -> userNotFound(userId));
            try {
                manageableAccount(s, caller, u.accountId());
            } catch (NuboException e) {
                throw userNotFound(userId);
            }
            if (!enabled && u.id().equals(caller.accessKeyId())) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "You cannot disable yourself");
            }
            if (u.enabled() != enabled) {
                users.setEnabled(userId, enabled);
                if (!enabled) {
                    new Sessions(s.handle()).deleteForUser(userId);
                }
                s.events().append(clock.instant(), u.accountId(), userId, "user.state", u.enabled() ? "enabled" : "disabled",
                        enabled ? "enabled" : "disabled", "by " + caller.accessKeyId());
            }
            return users.find(userId).orElseThrow();
        });
    }

    /**
     * Checks an e-mail and password and opens a session. Throws {@code AuthFailure} for a wrong
     * pair (the same for an unknown e-mail) and {@code TooManyRequests} while the e-mail is blocked.
     */
    public NewSession login(String email, String password) {
        if (email == null || password == null || email.length() > 254 || password.length() > MAX_PASSWORD) {
            throw wrongCredentials();
        }
        String key = email.toLowerCase(Locale.ROOT);
        Instant start = clock.instant();
        LoginThrottle.Row before = db.read(s -> new LoginThrottle(s.handle()).find(key)).orElse(new LoginThrottle.Row(0, null));
        if (before.blockedUntil() != null && before.blockedUntil().isAfter(start)) {
            throw blocked(before.blockedUntil(), start);
        }
        Optional<Users.WithHash> found = db.read(s -> new Users(s.handle()).findByEmail(email));
        boolean ok = hasher.verify(password, found.map(Users.WithHash::passwordHash).orElseGet(dummyHash)) && found.isPresent();
        Optional<NewSession> opened = db.inTransaction(s -> {
            Instant now = clock.instant();
            LoginThrottle throttle = new LoginThrottle(s.handle());
            LoginThrottle.Row row = throttle.lock(key, now);
            if (row.blockedUntil() != null && row.blockedUntil().isAfter(now)) {
                throw blocked(row.blockedUntil(), now);
            }
            Optional<SessionUser> who = ok ? sessionUser(s, found.get().user().id()) : Optional.empty();
            if (who.isEmpty()) {
                int failures = row.failures() + 1;
                Instant until = null;
                if (failures >= FREE_FAILURES) {
                    long factor = 1L << Math.min(failures - FREE_FAILURES, 10);
                    Duration block = FIRST_BLOCK.multipliedBy(factor);
                    until = now.plus(block.compareTo(MAX_BLOCK) > 0 ? MAX_BLOCK : block);
                }
                throttle.recordFailure(key, failures, now, until);
                return Optional.<NewSession>empty(); // committed: the failure counts even though the caller gets an error
            }
            throttle.clear(key);
            String token = Tokens.next();
            String csrf = Tokens.next();
            Instant expires = now.plus(SESSION_TTL);
            new Sessions(s.handle()).insert(Tokens.sha256(token), who.get().user().id(), csrf, now, expires);
            return Optional.of(new NewSession(token, csrf, expires, who.get()));
        });
        return opened.orElseThrow(UserService::wrongCredentials);
    }

    /** The session of {@code token}, if it is live and its user and account are enabled. */
    public Optional<LiveSession> session(String token) {
        if (token == null || token.isEmpty() || token.length() > 100) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        return db.read(s -> new Sessions(s.handle()).findLive(Tokens.sha256(token), now)
                .flatMap(row -> sessionUser(s, row.userId()).map(u -> new LiveSession(u, row.csrfToken(), row.expiresAt()))));
    }

    public void logout(String token) {
        if (token != null && !token.isEmpty()) {
            db.inTransaction(s -> {
                new Sessions(s.handle()).delete(Tokens.sha256(token));
                return null;
            });
        }
    }

    /** Removes expired sessions; the session check ignores them anyway. */
    public int purgeExpired() {
        return db.inTransaction(s -> new Sessions(s.handle()).deleteExpired(clock.instant()));
    }

    /** Whether {@code caller} may manage the users and keys of their own account. */
    public boolean isAccountAdmin(Principal caller) {
        if (caller.isAdmin() || caller.accessKeyId() == null || !caller.accessKeyId().startsWith(USER_PREFIX + "-")) {
            return true; // an operator, or an access key, which acts as the account itself
        }
        return db.read(s -> new Users(s.handle()).find(caller.accessKeyId())).map(u -> u.role() == Role.ADMIN).orElse(false);
    }

    private Optional<SessionUser> sessionUser(Store s, String userId) {
        return new Users(s.handle()).find(userId).filter(User::enabled).flatMap(u -> s.accounts().find(u.accountId())
                .filter(Account::enabled)
                .map(a -> new SessionUser(u, a, new Principal(a.id(), sessionRole(a, u), u.id()))));
    }

    /**
     * What a signed-in user may do: an account's admin users act with the account's role (the
     * operator's admins as operators, a partner's as the partner, as its access keys do); everyone
     * else as a member of their account.
     */
    static Role sessionRole(Account a, User u) {
        if (u.role() != Role.ADMIN) {
            return Role.MEMBER;
        }
        return a.role() == Role.ADMIN || a.role() == Role.PARTNER ? a.role() : Role.MEMBER;
    }

    private Account visibleAccount(Store s, Principal caller, String accountId) {
        if (!caller.isAdmin() && !caller.accountId().equals(accountId)) {
            throw accountNotFound(accountId);
        }
        return s.accounts().find(accountId).orElseThrow(() -> accountNotFound(accountId));
    }

    private Account manageableAccount(Store s, Principal caller, String accountId) {
        Account a = visibleAccount(s, caller, accountId);
        if (!isAccountAdmin(caller)) {
            throw NuboException.of(ErrorCode.UNAUTHORIZED_OPERATION, "You are not authorized to perform this operation.");
        }
        return a;
    }

    private static void checkPassword(String password) {
        if (password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "A password must have %d to %d characters", MIN_PASSWORD, MAX_PASSWORD);
        }
    }

    private static Role parseRole(String role) {
        if (role == null) {
            return Role.MEMBER;
        }
        return switch (role) {
            case "admin" -> Role.ADMIN;
            case "member" -> Role.MEMBER;
            default -> throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid role '%s': use admin or member", role);
        };
    }

    private static NuboException wrongCredentials() {
        return NuboException.of(ErrorCode.AUTH_FAILURE, "The e-mail or password is not correct");
    }

    private static NuboException blocked(Instant until, Instant now) {
        long seconds = Math.max(1, Duration.between(now, until).toSeconds() + 1);
        return new Throttled(seconds);
    }

    private static NuboException userNotFound(String id) {
        return NuboException.of(ErrorCode.INVALID_USER_ID_NOT_FOUND, "The user '%s' does not exist", id);
    }

    private static NuboException accountNotFound(String id) {
        return NuboException.of(ErrorCode.INVALID_ACCOUNT_ID_NOT_FOUND, "The account '%s' does not exist", id);
    }

    /** A refused log-in while the e-mail is blocked; {@link #retryAfterSeconds()} says for how long. */
    public static final class Throttled extends NuboException {
        private final long retryAfterSeconds;

        Throttled(long retryAfterSeconds) {
            super(ErrorCode.TOO_MANY_REQUESTS, "Too many failed log-ins: try again in " + retryAfterSeconds + " s");
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }
}
