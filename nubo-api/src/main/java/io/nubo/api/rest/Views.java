package io.nubo.api.rest;

import io.nubo.core.model.AccessKey;
import io.nubo.core.model.Account;
import io.nubo.core.model.Event;
import io.nubo.core.model.Host;
import io.nubo.core.model.Image;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceType;
import io.nubo.core.model.KeyPairInfo;
import io.nubo.core.model.NewAccessKey;
import io.nubo.core.model.Principal;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** The JSON shapes the REST API answers with. */
public final class Views {
    private Views() {
    }

    public record State(int code, String name) {
    }

    public record InstanceView(String instanceId, String reservationId, String ownerId, String imageId, String instanceType,
                               int vcpus, int memoryMib, State state, String task, String stateReason, String name,
                               String keyName, Instant launchTime, Instant terminatedAt, String hostId, Ssh ssh, boolean ha,
                               Integer rootDiskGib) {
    }

    /** Where the guest's SSH server can be reached. */
    public record Ssh(String host, int port) {
    }

    public record KeyPairView(String keyPairId, String keyName, String keyType, String keyFingerprint, String publicKey,
                              Instant createTime) {
    }

    public record NewKeyPairView(String keyPairId, String keyName, String keyType, String keyFingerprint, String keyMaterial) {
    }

    public record ConsoleView(String instanceId, Instant timestamp, String output) {
    }

    public record InstanceList(List<InstanceView> instances, String nextToken) {
    }

    public record ReservationView(String reservationId, String ownerId, List<InstanceView> instances) {
    }

    /** An instance type; {@code requiresAccelerator} is the accelerator its hosts must have (null: any). */
    public record TypeView(String name, int vcpus, int memoryMib, long priceMicrosPerHour, String requiresAccelerator) {
    }

    /** An image; {@code progress} (0 to 100) moves while it is {@code pending}, {@code stateReason} says why it {@code failed}. */
    public record ImageView(String imageId, String name, String description, String ownerId, boolean isPublic, String state,
                            String format, String architecture, Instant creationDate, String stateReason, int progress,
                            long sizeBytes, long virtualSizeBytes) {
    }

    /** Who may launch an image besides its owner: everyone when it is public, and these accounts. */
    public record LaunchPermissionsView(String imageId, boolean isPublic, List<String> accountIds) {
    }

    public record StoragePoolView(String poolId, String name, String kind, String path, String hostId, long totalBytes,
                                  long usedBytes, long freeBytes, List<PoolMount> hosts, Instant updatedAt) {
    }

    /** A host that reaches a pool, and where the pool is mounted on it. */
    public record PoolMount(String hostId, String path) {
    }

    public record HostView(String hostId, String name, String state, String driver, String accelerator, String architecture, String zone,
                           Capacity capacity, Capacity allocated, Capacity used, double cpuRatio, double memoryRatio,
                           Instant lastHeartbeat, Instant leaseExpiresAt) {
    }

    public record Capacity(int vcpus, int memoryMib, int diskGib) {
    }

    public record AccountView(String accountId, String name, String role, boolean enabled, int instanceQuota, Instant createdAt,
                              String partnerId) {
    }

    public record AccessKeyView(String accessKeyId, String accountId, String status, Instant createdAt) {
    }

    public record NewKeyView(String accessKeyId, String secretAccessKey, String accountId) {
    }

    public record AccountCreated(AccountView account, NewKeyView accessKey) {
    }

    public record EventView(long id, Instant at, String accountId, String resourceId, String type, String from, String to,
                            String cause) {
    }

    public record EventList(List<EventView> events, long nextAfter) {
    }

    public static InstanceView instance(Instance i, Principal viewer) {
        return new InstanceView(i.id(), i.reservationId(), i.accountId(), i.imageId(), i.instanceType(), i.vcpus(), i.memoryMib(),
                new State(i.state().code(), i.state().apiName()), i.task().apiName(), i.stateReason(), i.name(), i.keyName(),
                i.launchTime(), i.terminatedAt(), viewer.isAdmin() ? i.hostId() : null,
                i.sshPort() == null ? null : new Ssh(i.sshHost(), i.sshPort()), i.ha(), i.rootSizeGib());
    }

    public static KeyPairView keyPair(KeyPairInfo k) {
        return new KeyPairView(k.id(), k.name(), k.type(), k.fingerprint(), k.publicKey(), k.createdAt());
    }

    public static TypeView type(InstanceType t) {
        return new TypeView(t.name(), t.vcpus(), t.memoryMib(), t.priceMicrosPerHour(), t.requiresAccelerator());
    }

    public static ImageView image(Image i) {
        return new ImageView(i.id(), i.name(), i.description(), i.ownerId(), i.isPublic(), i.state(),
                i.format() == null || i.format().isEmpty() ? null : i.format(), i.architecture(), i.createdAt(), i.stateReason(),
                i.progress(), i.sizeBytes(), i.virtualSizeBytes());
    }

    public static StoragePoolView pool(io.nubo.core.model.StoragePool p) {
        return new StoragePoolView(p.id(), p.name(), p.kind().apiName(), p.path(), p.hostId(), p.totalBytes(), p.usedBytes(),
                p.freeBytes(), p.mounts().stream().map(m -> new PoolMount(m.hostId(), m.path())).toList(), p.updatedAt());
    }

    /** A host with its capacity: total, allocated (claimed by its instances, stopped ones too) and used (by the VMs that exist). */
    public static HostView host(Host h, io.nubo.core.model.HostUsage used) {
        return new HostView(h.id(), h.name(), h.state().apiName(), h.driver(), h.accelerator(), h.architecture(), h.zone(),
                new Capacity(h.vcpus(), h.memoryMib(), h.diskGib()), new Capacity(h.allocatedVcpus(), h.allocatedMemoryMib(), 0),
                new Capacity(used.vcpus(), used.memoryMib(), (int) ((used.diskBytes() + (1L << 30) - 1) >> 30)),
                h.cpuRatio(), h.memoryRatio(), h.lastHeartbeat(), h.leaseExpiresAt());
    }

    public static AccountView account(Account a) {
        return new AccountView(a.id(), a.name(), a.role().name().toLowerCase(Locale.ROOT), a.enabled(), a.instanceQuota(), a.createdAt(),
                a.partnerId());
    }

    public static AccessKeyView accessKey(AccessKey k) {
        return new AccessKeyView(k.id(), k.accountId(), k.active() ? "active" : "revoked", k.createdAt());
    }

    public static NewKeyView newKey(NewAccessKey k) {
        return new NewKeyView(k.accessKeyId(), k.secretAccessKey(), k.accountId());
    }

    public static EventView event(Event e) {
        return new EventView(e.id(), e.at(), e.accountId(), e.resourceId(), e.type(), e.fromState(), e.toState(), e.cause());
    }

    public static EventList events(List<Event> events, long after) {
        long next = events.isEmpty() ? after : events.get(events.size() - 1).id();
        return new EventList(events.stream().map(Views::event).toList(), next);
    }
}
