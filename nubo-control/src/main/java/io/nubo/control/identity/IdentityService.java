package io.nubo.control.identity;

import io.nubo.control.network.DefaultNetwork;
import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.model.AccessKey;
import io.nubo.core.model.Account;
import io.nubo.core.model.NewAccessKey;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Role;
import io.nubo.store.AccessKeys;
import io.nubo.store.Database;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Accounts, access keys and authentication. Thread-safe.
 *
 * <p>Opened keys are cached for a few seconds so that authentication does not cost a database
 * round trip per request. Revoking a key or disabling an account drops the cache at once on this
 * server; another replica notices within {@link #CACHE_TTL}.
 */
public final class IdentityService {
    public static final Duration CACHE_TTL = Duration.ofSeconds(5);
    public static final int DEFAULT_INSTANCE_QUOTA = 100;
    public static final int ADMIN_INSTANCE_QUOTA = 10_000;
    private static final Pattern ACCOUNT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private final Database db;
    private final SecretBox box;
    private final Clock clock;
    private final ConcurrentHashMap<String, CachedKey> cache = new ConcurrentHashMap<>();

    /** An access key's owner and secret, as needed to check a signature. */
    public record KeySecret(Principal principal, String secret) {
        @Override
        public String toString() {
            return "KeySecret[" + principal + ", secret=***]";
        }
    }

    private record CachedKey(Optional<KeySecret> key, Instant expires) {
    }

    public IdentityService(Database db, SecretBox box, Clock clock) {
        this.db = db;
        this.box = box;
        this.clock = clock;
    }

    /** Creates the operator's account and first key if there is no admin yet; returns the key only then. */
    public Optional<NewAccessKey> bootstrapAdmin() {
        return db.inTransaction(s -> {
            s.handle().execute("SELECT pg_advisory_xact_lock(4242)");
            if (s.accounts().anyAdmin()) {
                return Optional.empty();
            }
            Account admin = new Account(Ids.nextAccountId(), "admin", Role.ADMIN, true, ADMIN_INSTANCE_QUOTA, clock.instant());
            s.accounts().insert(admin);
            s.events().append(clock.instant(), admin.id(), admin.id(), "account.created", null, "enabled", "bootstrap");
            DefaultNetwork.create(s, admin.id(), clock.instant());
            return Optional.of(newKey(s.accessKeys(), admin.id()));
        });
    }

    /** Creates a tenant account and its first access key. */
    public NewAccessKey createAccount(Principal caller, String name, Optional<Integer> instanceQuota) {
        requireAdmin(caller);
        return create(caller, name, instanceQuota, null);
    }

    /** A partner creates a customer account of its own, and its first access key. */
    public NewAccessKey createCustomer(Principal caller, String name, Optional<Integer> instanceQuota) {
        AccountScope.requirePartner(caller);
        return create(caller, name, instanceQuota, caller.accountId());
    }

    private NewAccessKey create(Principal caller, String name, Optional<Integer> instanceQuota, String partnerId) {
        if (name == null || name.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter name");
        }
        if (!ACCOUNT_NAME.matcher(name).matches()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                    "Invalid account name '%s': use 1 to 63 letters, digits, '.', '_' or '-'", name);
        }
        int quota = instanceQuota.orElse(DEFAULT_INSTANCE_QUOTA);
        if (quota < 0 || quota > 1_000_000) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid instance quota %d", quota);
        }
        return db.inTransaction(s -> {
            s.handle().execute("LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE");
            if (s.accounts().findByName(name).isPresent()) {
                throw NuboException.of(ErrorCode.INVALID_ACCOUNT_NAME_DUPLICATE, "An account named '%s' already exists", name);
            }
            if (partnerId != null && s.accounts().find(partnerId).filter(p -> p.role() == Role.PARTNER && p.enabled()).isEmpty()) {
                throw NuboException.of(ErrorCode.UNAUTHORIZED_OPERATION, "You are not authorized to perform this operation (partners only).");
            }
            Account a = new Account(Ids.nextAccountId(), name, Role.MEMBER, true, quota, clock.instant(), partnerId);
            s.accounts().insert(a);
            s.events().append(clock.instant(), a.id(), a.id(), "account.created", null, "enabled", "by " + caller.accountId());
            DefaultNetwork.create(s, a.id(), clock.instant());
            return newKey(s.accessKeys(), a.id());
        });
    }

    /**
     * Makes an account a partner (admin only): from now on it may create, manage and bill customer
     * accounts. Only a member of the hoster's own can become one (not the operator, not a partner's
     * customer); making a partner a partner again changes nothing.
     */
    public Account makePartner(Principal caller, String accountId) {
        requireAdmin(caller);
        Account result = db.inTransaction(s -> {
            Account a = s.accounts().lock(accountId).orElseThrow(() -> accountNotFound(accountId));
            if (a.role() == Role.PARTNER) {
                return a;
            }
            if (a.role() != Role.MEMBER) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The operator's account %s cannot be a partner", accountId);
            }
            if (a.partnerId() != null) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                        "The account %s is a customer of partner %s; a partner's customer cannot be a partner", accountId, a.partnerId());
            }
            s.accounts().setRole(accountId, Role.PARTNER);
            s.events().append(clock.instant(), accountId, accountId, "account.role", "member", "partner", "by " + caller.accountId());
            return s.accounts().find(accountId).orElseThrow();
        });
        cache.clear();
        return result;
    }

    /** A partner's own customers. */
    public List<Account> listCustomers(Principal caller) {
        AccountScope.requirePartner(caller);
        return db.read(s -> s.accounts().customersOf(caller.accountId()));
    }

    public List<Account> listAccounts(Principal caller) {
        requireAdmin(caller);
        return db.read(s -> s.accounts().list());
    }

    /** An account the caller may see: its own, any for operators, and a partner's customers for that partner. */
    public Account getAccount(Principal caller, String accountId) {
        return db.read(s -> AccountScope.visible(s, caller, accountId));
    }

    /** Disables or enables an account: operators any other account, a partner its own customers. */
    public Account setAccountEnabled(Principal caller, String accountId, boolean enabled) {
        if (caller.isAdmin() && caller.accountId().equals(accountId) && !enabled) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "An operator cannot disable their own account");
        }
        Account result = db.inTransaction(s -> {
            Account a = AccountScope.lockManaged(s, caller, accountId);
            if (a.enabled() != enabled) {
                s.accounts().setEnabled(accountId, enabled);
                s.events().append(clock.instant(), accountId, accountId, "account.state", a.enabled() ? "enabled" : "disabled",
                        enabled ? "enabled" : "disabled", "by " + caller.accountId());
            }
            return s.accounts().find(accountId).orElseThrow();
        });
        cache.clear();
        return result;
    }

    /** Creates an access key: operators for any account, a partner for its customers, anyone else for their own account only. */
    public NewAccessKey createAccessKey(Principal caller, String accountId) {
        getAccount(caller, accountId);
        return db.inTransaction(s -> {
            s.accounts().find(accountId).orElseThrow(() -> accountNotFound(accountId));
            NewAccessKey k = newKey(s.accessKeys(), accountId);
            s.events().append(clock.instant(), accountId, k.accessKeyId(), "access-key.created", null, "active", "by " + caller.accessKeyId());
            return k;
        });
    }

    public List<AccessKey> listAccessKeys(Principal caller, String accountId) {
        getAccount(caller, accountId);
        return db.read(s -> s.accessKeys().listForAccount(accountId));
    }

    /** Revokes an access key: operators any key, anyone else only their own account's (another's is not found). */
    public AccessKey revokeAccessKey(Principal caller, String accessKeyId) {
        AccessKey key = db.inTransaction(s -> {
            AccessKey k = s.accessKeys().find(accessKeyId)
                    .filter(x -> s.accounts().find(x.accountId()).filter(a -> AccountScope.canSee(caller, a)).isPresent())
                    .orElseThrow(() -> NuboException.of(
                    ErrorCode.INVALID_ACCESS_KEY_ID_NOT_FOUND, "The access key '%s' does not exist", accessKeyId));
            if (k.active()) {
                s.accessKeys().revoke(accessKeyId, clock.instant());
                s.events().append(clock.instant(), k.accountId(), accessKeyId, "access-key.revoked", "active", "revoked",
                        "by " + caller.accountId());
            }
            return s.accessKeys().find(accessKeyId).orElseThrow();
        });
        cache.remove(accessKeyId);
        return key;
    }

    /** Checks a bearer credential; throws {@code AuthFailure} unless the key is active, its account enabled and the secret right. */
    public Principal authenticate(String accessKeyId, String secret) {
        KeySecret ks = lookup(accessKeyId).orElseThrow(IdentityService::authFailure);
        byte[] expected = ks.secret().getBytes(StandardCharsets.UTF_8);
        byte[] given = secret.getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, given)) {
            throw authFailure();
        }
        return ks.principal();
    }

    /** The owner and secret of an active key of an enabled account, for signature checks. */
    public Optional<KeySecret> lookup(String accessKeyId) {
        Instant now = clock.instant();
        CachedKey c = cache.get(accessKeyId);
        if (c != null && c.expires().isAfter(now)) {
            return c.key();
        }
        Optional<KeySecret> found = db.read(s -> s.accessKeys().findSealed(accessKeyId).flatMap(sealed -> {
            if (!sealed.key().active()) {
                return Optional.empty();
            }
            return s.accounts().find(sealed.key().accountId()).filter(Account::enabled)
                    .map(a -> new KeySecret(new Principal(a.id(), a.role(), accessKeyId), box.open(sealed.sealedSecret())));
        }));
        if (cache.size() > 10_000) {
            cache.clear();
        }
        cache.put(accessKeyId, new CachedKey(found, now.plus(CACHE_TTL)));
        return found;
    }

    private NewAccessKey newKey(AccessKeys keys, String accountId) {
        String id = Ids.nextAccessKeyId();
        String secret = Ids.nextSecret();
        keys.insert(new AccessKey(id, accountId, true, clock.instant()), box.seal(secret));
        return new NewAccessKey(id, secret, accountId);
    }

    public static void requireAdmin(Principal caller) {
        if (!caller.isAdmin()) {
            throw NuboException.of(ErrorCode.UNAUTHORIZED_OPERATION, "You are not authorized to perform this operation.");
        }
    }

    private static NuboException accountNotFound(String id) {
        return NuboException.of(ErrorCode.INVALID_ACCOUNT_ID_NOT_FOUND, "The account '%s' does not exist", id);
    }

    private static NuboException authFailure() {
        return NuboException.of(ErrorCode.AUTH_FAILURE, "AWS was not able to validate the provided access credentials");
    }
}
