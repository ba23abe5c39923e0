package io.nubo.api.ec2;

import io.nubo.control.ControlPlane;
import io.nubo.core.model.Principal;

/**
 * What a command runs with: the authenticated caller, the services, and the endpoint (host and
 * port) the caller reached, which DescribeRegions reports.
 */
public record Ec2Context(Principal caller, ControlPlane services, String endpoint) {
}
