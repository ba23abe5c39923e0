package io.nubo.core.agent;

import io.nubo.core.model.InstanceState;

/**
 * One instance placed on a host, with the state the control plane has recorded for it. The
 * agent acts on the state: {@code pending} means boot it, {@code stopping} shut it down,
 * {@code shutting-down} destroy it. In {@code running} or {@code stopped} it only reports, so
 * that a guest that powered itself off is reported rather than restarted.
 * {@code rebootGeneration} grows by one for each reboot request, so that an agent applies each
 * request once however often it sees the same desired state.
 */
public record DesiredInstance(String instanceId, InstanceState state, boolean forceStop, long rebootGeneration,
                              int vcpus, int memoryMib, String imageId, String imageFormat, String imageLocation,
                              String hostname, String userData, String publicKey) {
    @Override
    public String toString() {
        return "DesiredInstance[" + instanceId + " " + state.apiName() + " reboot=" + rebootGeneration + "]";
    }
}
