package io.nubo.control.identity;

import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Account;
import io.nubo.core.model.Principal;
import io.nubo.store.Store;

/**
 * Which accounts a caller may name: operators any, a partner itself and its own customers, anyone
 * else only itself. Any other account is "not found", never "forbidden", so that callers cannot
 * learn which accounts exist. Stateless.
 */
public final class AccountScope {
    private AccountScope() {
    }

    /** Whether {@code caller} may see {@code a}. */
    public static boolean canSee(Principal caller, Account a) {
        return caller.isAdmin() || caller.accountId().equals(a.id()) || (caller.isPartner() && caller.accountId().equals(a.partnerId()));
    }

    /** The account, if {@code caller} may see it; otherwise {@code InvalidAccountID.NotFound}. */
    public static Account visible(Store s, Principal caller, String accountId) {
        return s.accounts().find(accountId).filter(a -> canSee(caller, a)).orElseThrow(() -> notFound(accountId));
    }

    /**
     * The account, if {@code caller} may manage it: operators any account, a partner only its
     * customers (not itself: a partner cannot raise its own quotas). Any other account, and every
     * account for anyone else, is {@code InvalidAccountID.NotFound}.
     */
    public static Account managed(Store s, Principal caller, String accountId) {
        return s.accounts().find(accountId)
                .filter(a -> caller.isAdmin() || (caller.isPartner() && caller.accountId().equals(a.partnerId())))
                .orElseThrow(() -> notFound(accountId));
    }

    /** Locks and returns an account {@code caller} may manage (see {@link #managed}). */
    public static Account lockManaged(Store s, Principal caller, String accountId) {
        managed(s, caller, accountId);
        return s.accounts().lock(accountId).orElseThrow(() -> notFound(accountId));
    }

    public static void requireAdminOrPartner(Principal caller) {
        if (!caller.isAdmin() && !caller.isPartner()) {
            throw NuboException.of(ErrorCode.UNAUTHORIZED_OPERATION, "You are not authorized to perform this operation.");
        }
    }

    public static void requirePartner(Principal caller) {
        if (!caller.isPartner()) {
            throw NuboException.of(ErrorCode.UNAUTHORIZED_OPERATION, "You are not authorized to perform this operation (partners only).");
        }
    }

    public static NuboException notFound(String accountId) {
        return NuboException.of(ErrorCode.INVALID_ACCOUNT_ID_NOT_FOUND, "The account '%s' does not exist", accountId);
    }
}
