package io.nubo.control.operator;

import io.nubo.control.compute.ComputeService;
import io.nubo.control.identity.IdentityService;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Account;
import io.nubo.core.model.Event;
import io.nubo.core.model.Instance;
import io.nubo.core.model.Principal;
import io.nubo.store.Database;
import io.nubo.store.InstanceFilter;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** What only operators may read across accounts: every instance, and the whole event log. Thread-safe. */
public final class OperatorQueries {
    public static final int MAX_INSTANCES = 5000;

    private final Database db;
    private final Clock clock;

    public OperatorQueries(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Every visible instance of every account (terminated ones for their hour), newest first, at most {@value #MAX_INSTANCES}. */
    public List<Instance> allInstances(Principal caller) {
        IdentityService.requireAdmin(caller);
        return db.read(s -> {
            List<Instance> out = new ArrayList<>();
            InstanceFilter none = new InstanceFilter(List.of(), List.of(), List.of(), List.of(), List.of());
            for (Account a : s.accounts().list()) {
                out.addAll(s.instances().list(a.id(), none, clock.instant().minus(ComputeService.TERMINATED_VISIBILITY), Optional.empty(),
                        MAX_INSTANCES));
            }
            out.sort(Comparator.comparing(Instance::launchTime).reversed());
            return out.size() > MAX_INSTANCES ? List.copyOf(out.subList(0, MAX_INSTANCES)) : out;
        });
    }

    /** Events of every account, or of one ({@code accountId}), after {@code afterId}, oldest first. */
    public List<Event> events(Principal caller, Optional<String> accountId, long afterId, int limit) {
        IdentityService.requireAdmin(caller);
        if (limit < 1 || limit > 1000) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "limit must be between 1 and 1000");
        }
        if (afterId < 0) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "after must not be negative");
        }
        return db.read(s -> s.events().list(accountId.orElse(null), null, afterId, limit));
    }
}
