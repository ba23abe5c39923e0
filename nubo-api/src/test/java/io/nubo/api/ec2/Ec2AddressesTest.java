package io.nubo.api.ec2;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceType;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Private addresses through the real SDK: given from each zone's default subnet, per account, released on termination. */
class Ec2AddressesTest extends Ec2CloudTest {
    static List<Instance> launch(Ec2Client client, int count) {
        return client.runInstances(b -> b.imageId(cloud.imageId).instanceType(InstanceType.T3_NANO).minCount(count).maxCount(count))
                .instances();
    }

    static Instance describe(Ec2Client client, String id) {
        return client.describeInstances(b -> b.instanceIds(id)).reservations().get(0).instances().get(0);
    }

    @Test
    void eachInstanceGetsTheLowestFreeAddressOfItsSubnetUntilItIsTerminated() {
        String subnetCidr = ec2.describeSubnets().subnets().get(0).cidrBlock();
        assertThat(subnetCidr).isEqualTo("172.31.0.0/20");
        List<Instance> three = launch(ec2, 3);
        assertThat(three).extracting(Instance::privateIpAddress).containsExactly("172.31.0.4", "172.31.0.5", "172.31.0.6");
        Instance first = describe(ec2, three.get(0).instanceId());
        assertThat(first.privateIpAddress()).isEqualTo("172.31.0.4");
        assertThat(first.privateDnsName()).isEqualTo("ip-172-31-0-4.nubo-1.compute.internal");
        assertThat(first.subnetId()).isEqualTo(ec2.describeSubnets().subnets().get(0).subnetId());

        ec2.terminateInstances(b -> b.instanceIds(three.get(1).instanceId()));
        Ec2Sdk.waiter(ec2).waitUntilInstanceTerminated(b -> b.instanceIds(three.get(1).instanceId()));
        assertThat(describe(ec2, three.get(1).instanceId()).privateIpAddress()).isNull();
        // The freed .5 is the lowest free one again; the others keep theirs.
        assertThat(launch(ec2, 2)).extracting(Instance::privateIpAddress).containsExactly("172.31.0.5", "172.31.0.7");
        assertThat(describe(ec2, three.get(2).instanceId()).privateIpAddress()).isEqualTo("172.31.0.6");
    }

    @Test
    void theAddressFiltersFindAnInstanceByItsAddress() {
        String id = launch(ec2, 1).get(0).instanceId();
        String address = describe(ec2, id).privateIpAddress();
        for (String name : List.of("private-ip-address", "network-interface.addresses.private-ip-address")) {
            assertThat(ec2.describeInstances(b -> b.filters(f -> f.name(name).values(address))).reservations())
                    .flatExtracting(r -> r.instances()).extracting(Instance::instanceId).containsExactly(id);
        }
        assertThat(ec2.describeInstances(b -> b.filters(f -> f.name("private-ip-address").values("172.31.*"))).reservations()
                .stream().mapToInt(r -> r.instances().size()).sum()).isGreaterThanOrEqualTo(1);
        assertThat(ec2.describeInstances(b -> b.filters(f -> f.name("private-ip-address").values("10.9.9.9"))).reservations()).isEmpty();
    }

    @Test
    void anotherAccountHasItsOwnDefaultVpcAndTheSameAddresses() {
        try (Ec2Client other = Ec2Sdk.client(cloud, cloud.tenant("addresses-other"))) {
            assertThat(launch(other, 1).get(0).privateIpAddress()).isEqualTo("172.31.0.4");
        }
    }
}
