package io.nubo.core.model;

/** What an agent observes of one VM on its host. */
public enum PowerState {
    /** The VM process exists and the guest is booting. */
    STARTING,
    RUNNING,
    /** A stop was requested and the guest has not yet gone down. */
    STOPPING,
    /** Defined on the host (its disk exists) but not running. */
    STOPPED,
    /** The hypervisor could not start it; the reason says why. */
    FAILED,
    /** Not on the host at all: said only in a partial report, about a VM the last report listed. */
    ABSENT
}
