package io.nubo.control.hosts;

import io.nubo.control.identity.IdentityService;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Host;
import io.nubo.core.model.Principal;
import io.nubo.store.Database;

import java.time.Clock;
import java.util.List;

/** The operator's view of hosts, and the lease watchdog. Thread-safe. */
public final class HostService {
    private final Database db;
    private final Clock clock;

    public HostService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public List<Host> list(Principal caller) {
        IdentityService.requireAdmin(caller);
        return db.read(s -> s.hosts().list());
    }

    public Host get(Principal caller, String id) {
        IdentityService.requireAdmin(caller);
        return db.read(s -> s.hosts().find(id))
                .orElseThrow(() -> NuboException.of(ErrorCode.INVALID_HOST_ID_NOT_FOUND, "The host '%s' does not exist", id));
    }

    /**
     * Sets the overcommit ratios of a host. Lowering them below what is allocated is allowed:
     * running instances stay, and new ones go elsewhere until there is room.
     */
    public Host setOvercommit(Principal caller, String id, double cpuRatio, double memoryRatio) {
        IdentityService.requireAdmin(caller);
        if (!(cpuRatio > 0 && cpuRatio <= 64) || !(memoryRatio > 0 && memoryRatio <= 4)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                    "cpuRatio must be above 0 and at most 64, memoryRatio above 0 and at most 4");
        }
        return db.inTransaction(s -> {
            Host before = s.hosts().find(id).orElseThrow(() -> NuboException.of(ErrorCode.INVALID_HOST_ID_NOT_FOUND,
                    "The host '%s' does not exist", id));
            s.hosts().setOvercommit(id, cpuRatio, memoryRatio);
            s.events().append(clock.instant(), null, id, "host.overcommit", before.cpuRatio() + "/" + before.memoryRatio(),
                    cpuRatio + "/" + memoryRatio, "by " + caller.accountId());
            return s.hosts().find(id).orElseThrow();
        });
    }

    /** All hosts, for metrics and health: not a caller's view. */
    public List<Host> all() {
        return db.read(s -> s.hosts().list());
    }

    /** Marks hosts whose lease expired as suspect, with an event each. */
    public List<String> expireLeases() {
        return db.inTransaction(s -> {
            List<String> ids = s.hosts().markExpiredSuspect(clock.instant());
            ids.forEach(id -> s.events().append(clock.instant(), null, id, "host.state", "up", "suspect", "lease expired"));
            return ids;
        });
    }
}
