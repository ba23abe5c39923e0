package io.nubo.core.spi;

import java.time.Duration;
import java.util.Map;

/**
 * Runs VMs on one host. Implementations: {@code qemu} and {@code fake}.
 *
 * <p>Every method is idempotent and safe to call again after the agent restarts: VMs outlive the
 * agent, and {@link #list()} finds them again. Calls for different instances may run
 * concurrently; implementations serialise calls for one instance themselves.
 */
public interface Hypervisor extends AutoCloseable {
    /** The driver name, e.g. {@code qemu}. */
    String name();

    /** Probes the host: accelerator and capacity. */
    HostFacts probe();

    /** Creates the VM if it does not exist, and boots it unless it already runs. Returns once it is starting. */
    void start(VmSpec spec);

    /** Shuts the guest down: gracefully within {@code timeout}, then by force. Returns once it is stopped. */
    void stop(String instanceId, boolean force, Duration timeout);

    /** Reboots a running guest: softly first, then by reset. */
    void reboot(String instanceId);

    /**
     * Self-fencing: ends the VM at once, whatever else is under way for it (a stop, a migration),
     * without asking the guest, and keeps its disks; the VM is then reported stopped. Its host lost
     * its lease, so the control plane may start the instance on another host. Unknown IDs are ignored.
     */
    default void fence(String instanceId) {
        stop(instanceId, true, Duration.ZERO);
    }

    /** Stops the VM at once and deletes everything it had on the host. Unknown IDs are ignored. */
    void destroy(String instanceId);

    /** Every VM this host has, running or not, keyed by instance ID. */
    Map<String, VmStatus> list();

    /**
     * Attaches a volume to a running VM, hot, or finishes an attach that was interrupted (a block
     * node without its device). Idempotent. Drivers without volume support refuse.
     */
    default void attachVolume(String instanceId, io.nubo.core.agent.DesiredVolume volume) {
        throw new UnsupportedOperationException(name() + " cannot attach volumes");
    }

    /**
     * Detaches a volume from a running VM: asks the guest to let go of the disk and waits up to
     * {@code timeout} for it, unless {@code force}, then releases the file. Idempotent; returns
     * whether the volume is gone from the VM (false: the guest has not let go yet; call again).
     */
    default boolean detachVolume(String instanceId, String volumeId, boolean force, Duration timeout) {
        throw new UnsupportedOperationException(name() + " cannot detach volumes");
    }

    /** Grows an attached volume, file and guest-visible disk, to {@code sizeBytes}. Idempotent; never shrinks. */
    default void resizeVolume(String instanceId, String volumeId, long sizeBytes) {
        throw new UnsupportedOperationException(name() + " cannot resize volumes");
    }

    /** One VM's status now, if the host has it. Drivers override this when they can look one up cheaply. */
    default java.util.Optional<VmStatus> status(String instanceId) {
        return java.util.Optional.ofNullable(list().get(instanceId));
    }

    @Override
    default void close() {
    }
}
