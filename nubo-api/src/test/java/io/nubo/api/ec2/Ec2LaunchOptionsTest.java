package io.nubo.api.ec2;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.CapacityReservationPreference;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;

import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RunInstances parameters EC2 acts on and Nubo has no counterpart for: the values that ask for
 * what Nubo does anyway launch (Terraform's AWS provider sends several on every launch), any
 * other value is refused by name and launches nothing.
 */
class Ec2LaunchOptionsTest extends Ec2CloudTest {
    private static RunInstancesRequest.Builder base(RunInstancesRequest.Builder b) {
        return b.imageId(cloud.imageId).instanceType(InstanceType.T3_NANO).minCount(1).maxCount(1);
    }

    @Test
    void whatTerraformSendsOnEveryLaunchIsAccepted() {
        var r = ec2.runInstances(b -> base(b).disableApiTermination(false).ebsOptimized(false).disableApiStop(false)
                .hibernationOptions(h -> h.configured(false)).creditSpecification(c -> c.cpuCredits("unlimited"))
                .monitoring(m -> m.enabled(false)).placement(p -> p.availabilityZone("")).enclaveOptions(e -> e.enabled(false))
                .instanceInitiatedShutdownBehavior(ShutdownBehavior.STOP).ipv6AddressCount(0).enablePrimaryIpv6(false)
                .capacityReservationSpecification(c -> c.capacityReservationPreference(CapacityReservationPreference.OPEN)));
        assertThat(r.instances()).hasSize(1);
    }

    @Test
    void anythingElseIsRefusedByNameAndLaunchesNothing() {
        String before = Ec2Sdk.settledSnapshot(cloud);
        refused("DisableApiTermination", b -> b.disableApiTermination(true));
        refused("DisableApiStop", b -> b.disableApiStop(true));
        refused("EbsOptimized", b -> b.ebsOptimized(true));
        refused("HibernationOptions.Configured", b -> b.hibernationOptions(h -> h.configured(true)));
        refused("EnclaveOptions.Enabled", b -> b.enclaveOptions(e -> e.enabled(true)));
        refused("CreditSpecification.CpuCredits", b -> b.creditSpecification(c -> c.cpuCredits("standard")));
        refused("InstanceInitiatedShutdownBehavior", b -> b.instanceInitiatedShutdownBehavior(ShutdownBehavior.TERMINATE));
        refused("Ipv6AddressCount", b -> b.ipv6AddressCount(1));
        refused("CapacityReservationTarget", b -> b.capacityReservationSpecification(c -> c.capacityReservationTarget(
                t -> t.capacityReservationId("cr-0123456789abcdef0"))));
        refused("CapacityReservationPreference", b -> b.capacityReservationSpecification(c -> c.capacityReservationPreference(
                CapacityReservationPreference.CAPACITY_RESERVATIONS_ONLY)));
        refused("MetadataOptions", b -> b.metadataOptions(m -> m.httpTokens("required")));
        refused("PrivateIpAddress", b -> b.privateIpAddress("10.0.0.9"));
        refused("CpuOptions", b -> b.cpuOptions(c -> c.coreCount(1).threadsPerCore(2)));
        refused("Placement.HostId", b -> b.placement(p -> p.hostId("h-0123456789abcdef0")));
        refused("MaintenanceOptions", b -> b.maintenanceOptions(m -> m.autoRecovery("disabled")));
        assertThat(cloud.snapshot()).isEqualTo(before);
    }

    private static void refused(String parameter, Consumer<RunInstancesRequest.Builder> more) {
        Ec2Exception e = Ec2Sdk.fails("UnsupportedOperation", () -> ec2.runInstances(b -> more.accept(base(b))));
        assertThat(e.awsErrorDetails().errorMessage()).contains(parameter);
    }
}
