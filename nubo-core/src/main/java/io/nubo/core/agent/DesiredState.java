package io.nubo.core.agent;

import java.util.List;

/**
 * The full set of instances a host should have, at a version. Instances missing from the set
 * should not exist on the host. Versions only grow, so an agent can tell new from old.
 */
public record DesiredState(long version, List<DesiredInstance> instances) {
}
