package io.nubo.core.model;

import java.time.Instant;

/** A subnet of a VPC in one availability zone. The default VPC has a default subnet in every zone. */
public record Subnet(String id, String accountId, String vpcId, String zone, String cidrBlock, boolean defaultForAz,
                     Instant createdAt) {
}
