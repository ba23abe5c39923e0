package io.nubo.control.quota;

import io.nubo.control.identity.AccountScope;
import io.nubo.control.identity.IdentityService;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Account;
import io.nubo.core.model.InstanceType;
import io.nubo.core.model.Principal;
import io.nubo.store.Database;
import io.nubo.store.Quotas;
import io.nubo.store.Store;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Quotas per account: instances (the account's own column), vCPUs and memory of the instances that
 * are not terminated, the number and GiB of volumes and of snapshots that exist, and the number of images owned. vCPUs and memory have installation defaults, a partner's defaults for its
 * customers, and per-account overrides (set by an operator, or by the customer's partner), each
 * level above the one before; with none there is no limit. A quota may be set below what is in use: that blocks new creates and
 * takes nothing away. Checks run under the account's row lock, in the creating transaction, so
 * concurrent creates never exceed a quota. Thread-safe.
 */
public final class QuotaService {
    public static final String INSTANCES = "instances";
    public static final String VCPUS = "vcpus";
    public static final String MEMORY_MIB = "memory-mib";
    public static final String VOLUMES = "volumes";
    public static final String VOLUME_GIB = "volume-gib";
    public static final String SNAPSHOTS = "snapshots";
    public static final String SNAPSHOT_GIB = "snapshot-gib";
    public static final String IMAGES = "images";
    public static final List<String> RESOURCES = List.of(INSTANCES, VCPUS, MEMORY_MIB, VOLUMES, VOLUME_GIB, SNAPSHOTS, SNAPSHOT_GIB, IMAGES);
    private static final long MAX = 1L << 40;

    private final Database db;
    private final Clock clock;

    public QuotaService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** One quota: its limit (empty: none) and what is in use. */
    public record Usage(String resource, Optional<Long> limit, long used) {
    }

    /** The account's quotas and use; tenants see their own, partners their customers', operators any. */
    public List<Usage> quotas(Principal caller, String accountId) {
        return db.read(s -> {
            Account a = AccountScope.visible(s, caller, accountId);
            Map<String, Long> limits = limits(s, a);
            Quotas.InUse use = s.quotas().inUse(accountId);
            List<Usage> out = new ArrayList<>();
            out.add(new Usage(INSTANCES, Optional.ofNullable(limits.get(INSTANCES)), use.instances()));
            out.add(new Usage(VCPUS, Optional.ofNullable(limits.get(VCPUS)), use.vcpus()));
            out.add(new Usage(MEMORY_MIB, Optional.ofNullable(limits.get(MEMORY_MIB)), use.memoryMib()));
            var volumes = s.volumes().inUse(accountId);
            out.add(new Usage(VOLUMES, Optional.ofNullable(limits.get(VOLUMES)), volumes.count()));
            out.add(new Usage(VOLUME_GIB, Optional.ofNullable(limits.get(VOLUME_GIB)), volumes.gib()));
            var snapshots = s.snapshots().inUse(accountId);
            out.add(new Usage(SNAPSHOTS, Optional.ofNullable(limits.get(SNAPSHOTS)), snapshots.count()));
            out.add(new Usage(SNAPSHOT_GIB, Optional.ofNullable(limits.get(SNAPSHOT_GIB)), snapshots.gib()));
            out.add(new Usage(IMAGES, Optional.ofNullable(limits.get(IMAGES)), s.images().ownedCount(accountId)));
            return out;
        });
    }

    /**
     * Sets an account's quotas: operators any account's, a partner its customers'. Validates every
     * value before it writes any.
     */
    public List<Usage> setQuotas(Principal caller, String accountId, Map<String, Long> values) {
        // Another's account is not found; one's own is visible but a tenant may not set its quotas.
        db.read(s -> AccountScope.visible(s, caller, accountId));
        AccountScope.requireAdminOrPartner(caller);
        db.read(s -> AccountScope.managed(s, caller, accountId));
        validate(values);
        db.inTransaction(s -> {
            AccountScope.lockManaged(s, caller, accountId);
            values.forEach((r, v) -> {
                if (r.equals(INSTANCES)) {
                    s.quotas().setInstanceQuota(accountId, (int) (long) v);
                } else {
                    s.quotas().setOverride(accountId, r, v);
                }
            });
            s.events().append(clock.instant(), accountId, accountId, "account.quotas", null, values.toString(), "by " + caller.accountId());
            return null;
        });
        return quotas(caller, accountId);
    }

    /** Sets the installation's default vCPU and memory quotas (admin only). */
    public Map<String, Long> setDefaults(Principal caller, Map<String, Long> values) {
        IdentityService.requireAdmin(caller);
        validate(values);
        if (values.containsKey(INSTANCES)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The instance quota is set per account (default %d)",
                    IdentityService.DEFAULT_INSTANCE_QUOTA);
        }
        return db.inTransaction(s -> {
            values.forEach((r, v) -> s.quotas().setDefault(r, v));
            return s.quotas().defaults();
        });
    }

    /** A partner's default vCPU and memory quotas for its customers (between the installation's and a customer's own). */
    public Map<String, Long> partnerDefaults(Principal caller) {
        AccountScope.requirePartner(caller);
        return db.read(s -> s.partners().quotaDefaults(caller.accountId()));
    }

    /** Sets a partner's default quotas for its customers; as the installation's, they cover vCPUs and memory. */
    public Map<String, Long> setPartnerDefaults(Principal caller, Map<String, Long> values) {
        AccountScope.requirePartner(caller);
        validate(values);
        if (values.containsKey(INSTANCES)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The instance quota is set per account (default %d)",
                    IdentityService.DEFAULT_INSTANCE_QUOTA);
        }
        return db.inTransaction(s -> {
            values.forEach((r, v) -> s.partners().setQuotaDefault(caller.accountId(), r, v));
            s.events().append(clock.instant(), caller.accountId(), caller.accountId(), "partner.quota-defaults", null, values.toString(),
                    "by " + caller.accessKeyId());
            return s.partners().quotaDefaults(caller.accountId());
        });
    }

    private static void validate(Map<String, Long> values) {
        if (values.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "Give at least one of %s", String.join(", ", RESOURCES));
        }
        values.forEach((r, v) -> {
            if (!RESOURCES.contains(r)) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Unknown quota '%s': use %s", r, String.join(", ", RESOURCES));
            }
            long max = r.equals(INSTANCES) ? 1_000_000 : MAX;
            if (v == null || v < 0 || v > max) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid %s quota %s: use 0 to %d", r, v, max);
            }
        });
    }

    private static Map<String, Long> limits(Store s, Account a) {
        Map<String, Long> limits = new LinkedHashMap<>(s.quotas().defaults());
        if (a.partnerId() != null) {
            limits.putAll(s.partners().quotaDefaults(a.partnerId()));
        }
        limits.putAll(s.quotas().overrides(a.id()));
        limits.put(INSTANCES, (long) a.instanceQuota());
        return limits;
    }

    /**
     * What an account's quotas still allow, read once under its row lock and then kept up to date in
     * memory as launches are admitted, so that a batch of launches in one transaction costs one read.
     */
    public static final class Allowance {
        private final Account account;
        private final Long vcpuLimit;
        private final Long memoryLimit;
        private long instances;
        private long vcpus;
        private long memoryMib;

        private Allowance(Account account, Long vcpuLimit, Long memoryLimit, Quotas.InUse use) {
            this.account = account;
            this.vcpuLimit = vcpuLimit;
            this.memoryLimit = memoryLimit;
            this.instances = use.instances();
            this.vcpus = use.vcpus();
            this.memoryMib = use.memoryMib();
        }

        /**
         * How many instances of {@code type} the quotas still allow (at most {@code maxCount}); throws
         * {@code InstanceLimitExceeded}, {@code VcpuLimitExceeded} or {@code MemoryLimitExceeded} when
         * fewer than {@code minCount}.
         */
        public int allowed(InstanceType type, int minCount, int maxCount) {
            long allowed = Math.min(maxCount, account.instanceQuota() - instances);
            if (allowed < minCount) {
                throw NuboException.of(ErrorCode.INSTANCE_LIMIT_EXCEEDED,
                        "You have requested more instances (%d) than your current instance limit of %d allows (%d in use).",
                        minCount, account.instanceQuota(), instances);
            }
            allowed = Math.min(allowed, fitting(vcpuLimit, vcpus, type.vcpus(), minCount, ErrorCode.VCPU_LIMIT_EXCEEDED, "vCPU capacity", "vCPU", ""));
            allowed = Math.min(allowed, fitting(memoryLimit, memoryMib, type.memoryMib(), minCount, ErrorCode.MEMORY_LIMIT_EXCEEDED, "memory",
                    "memory", " MiB"));
            return (int) allowed;
        }

        /** How many of {@code each} fit under {@code limit} (none: no limit); throws {@code code} when fewer than {@code minCount}. */
        private static long fitting(Long limit, long used, int each, int minCount, ErrorCode code, String what, String limitName, String unit) {
            if (limit == null) {
                return Long.MAX_VALUE;
            }
            long n = Math.max(0, limit - used) / each;
            if (n < minCount) {
                throw NuboException.of(code, "You have requested more %s (%d%s) than your current %s limit of %d%s allows (%d%s in use).",
                        what, (long) minCount * each, unit, limitName, limit, unit, used, unit);
            }
            return n;
        }

        /** Counts {@code count} new instances of {@code type} as in use. */
        public void take(InstanceType type, int count) {
            instances += count;
            vcpus += (long) count * type.vcpus();
            memoryMib += (long) count * type.memoryMib();
        }
    }

    /** The allowance of an account the caller has locked. */
    public static Allowance allowance(Store s, Account locked) {
        Map<String, Long> limits = limits(s, locked);
        return new Allowance(locked, limits.get(VCPUS), limits.get(MEMORY_MIB), s.quotas().inUse(locked.id()));
    }

    /** Checks that giving an instance {@code to} instead of {@code from} keeps the locked account within its quotas. */
    public static void requireRoomToResize(Store s, Account locked, InstanceType from, InstanceType to) {
        Map<String, Long> limits = limits(s, locked);
        Quotas.InUse use = s.quotas().inUse(locked.id());
        Long vcpus = limits.get(VCPUS);
        if (vcpus != null && to.vcpus() > from.vcpus() && use.vcpus() - from.vcpus() + to.vcpus() > vcpus) {
            throw NuboException.of(ErrorCode.VCPU_LIMIT_EXCEEDED, "Resizing to %s needs %d more vCPUs than your vCPU limit of %d allows",
                    to.name(), use.vcpus() - from.vcpus() + to.vcpus() - vcpus, vcpus);
        }
        Long memory = limits.get(MEMORY_MIB);
        if (memory != null && to.memoryMib() > from.memoryMib() && use.memoryMib() - from.memoryMib() + to.memoryMib() > memory) {
            throw NuboException.of(ErrorCode.MEMORY_LIMIT_EXCEEDED, "Resizing to %s needs %d MiB more than your memory limit of %d MiB allows",
                    to.name(), use.memoryMib() - from.memoryMib() + to.memoryMib() - memory, memory);
        }
    }

    /**
     * Locks the account's row and checks that {@code newVolumes} more volumes and {@code addGib}
     * more GiB of them fit its quotas ({@code VolumeLimitExceeded} otherwise). Called in the
     * creating (or growing) transaction before anything else is locked, so that concurrent creates
     * queue on the account and never exceed a quota together.
     */
    public static void requireVolumeRoom(Store s, String accountId, int newVolumes, long addGib) {
        Account a = s.accounts().lock(accountId).orElseThrow(() -> accountNotFound(accountId));
        Map<String, Long> limits = limits(s, a);
        var use = s.volumes().inUse(accountId);
        Long count = limits.get(VOLUMES);
        if (count != null && newVolumes > 0 && use.count() + newVolumes > count) {
            throw NuboException.of(ErrorCode.VOLUME_LIMIT_EXCEEDED,
                    "You have reached your limit of %d volumes (%d in use).", count, use.count());
        }
        Long gib = limits.get(VOLUME_GIB);
        if (gib != null && addGib > 0 && use.gib() + addGib > gib) {
            throw NuboException.of(ErrorCode.VOLUME_LIMIT_EXCEEDED,
                    "You have requested more volume capacity (%d GiB) than your current volume limit of %d GiB allows (%d GiB in use).",
                    addGib, gib, use.gib());
        }
    }

    /** As {@link #requireVolumeRoom}, for one more snapshot of a {@code gib} volume ({@code SnapshotLimitExceeded}). */
    public static void requireSnapshotRoom(Store s, String accountId, long gib) {
        Account a = s.accounts().lock(accountId).orElseThrow(() -> accountNotFound(accountId));
        Map<String, Long> limits = limits(s, a);
        var use = s.snapshots().inUse(accountId);
        Long count = limits.get(SNAPSHOTS);
        if (count != null && use.count() + 1 > count) {
            throw NuboException.of(ErrorCode.SNAPSHOT_LIMIT_EXCEEDED, "You have reached your limit of %d snapshots (%d in use).", count,
                    use.count());
        }
        Long max = limits.get(SNAPSHOT_GIB);
        if (max != null && use.gib() + gib > max) {
            throw NuboException.of(ErrorCode.SNAPSHOT_LIMIT_EXCEEDED,
                    "A snapshot of %d GiB would exceed your snapshot limit of %d GiB (%d GiB in use).", gib, max, use.gib());
        }
    }

    /**
     * Checks that the account may own one more image ({@code ResourceLimitExceeded} otherwise).
     * With {@code lock}, under the account's row lock, in the creating transaction, as the volume
     * checks; without, as an early answer before a long upload, which the locked check repeats.
     */
    public static void requireImageRoom(Store s, String accountId, boolean lock) {
        Account a = (lock ? s.accounts().lock(accountId) : s.accounts().find(accountId)).orElseThrow(() -> accountNotFound(accountId));
        Long max = limits(s, a).get(IMAGES);
        if (max == null) {
            return;
        }
        long owned = s.images().ownedCount(accountId);
        if (owned + 1 > max) {
            throw NuboException.of(ErrorCode.RESOURCE_LIMIT_EXCEEDED, "You have reached your limit of %d images (%d owned).", max, owned);
        }
    }

    private static NuboException accountNotFound(String id) {
        return NuboException.of(ErrorCode.INVALID_ACCOUNT_ID_NOT_FOUND, "The account '%s' does not exist", id);
    }
}
