package io.nubo.core.spi;

import java.nio.file.Path;
import java.util.function.IntConsumer;

/**
 * An optional ability of a driver: a standalone copy of a VM's root disk while the VM is down
 * (CreateImage of a stopped instance). A running VM's root disk is copied by the driver's
 * {@link VolumeSnapshots} block job instead. Implementations hold the instance's lock while they
 * copy, so the VM cannot start meanwhile.
 */
public interface RootDiskCopies {
    /**
     * Writes the VM's whole root disk (its overlay and everything under it) as one qcow2 file with
     * no backing file to {@code scratch}, replacing whatever is there; {@code progress} hears 0 to
     * 100. Throws when the VM has no root disk here or the copy fails (the scratch file is then
     * the caller's to delete).
     */
    void copyRootDisk(String instanceId, Path scratch, IntConsumer progress);
}
