package io.nubo.api.ec2;

import io.nubo.api.TestCloud;
import io.nubo.core.Ids;
import io.nubo.core.model.Image;
import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AccountAttribute;
import software.amazon.awssdk.services.ec2.model.AccountAttributeName;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.Vpc;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Regions, zones, account attributes, instance types, images and the default network, through the AWS SDK. */
class Ec2CatalogTest {
    static TestCloud cloud;
    static Ec2Client ec2;
    static NewAccessKey tenant;
    static Ec2Client tenantEc2;
    static String tenantImage;

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud();
        ec2 = Ec2Sdk.client(cloud, cloud.admin);
        tenant = cloud.tenant("catalog-tenant");
        tenantEc2 = Ec2Sdk.client(cloud, tenant);
        tenantImage = Ids.next(Ids.IMAGE);
        cloud.db.inTransaction(s -> {
            s.images().insert(new Image(tenantImage, "tenant-image", "the tenant's own", tenant.accountId(), false, "available", "qcow2",
                    "/nonexistent/tenant.qcow2", "x86_64", Instant.now()));
            return null;
        });
    }

    @AfterAll
    static void stop() {
        tenantEc2.close();
        ec2.close();
        cloud.close();
    }

    static void rejects(String code, Executable call) {
        String before = Ec2Sdk.settledSnapshot(cloud);
        assertThat(Ec2Sdk.fails(code, call).statusCode()).isBetween(400, 499);
        assertThat(cloud.snapshot()).as("nothing changed after %s", code).isEqualTo(before);
    }

    @Test
    void theRegionAndItsZone() {
        var regions = ec2.describeRegions().regions();
        assertThat(regions).singleElement().satisfies(r -> {
            assertThat(r.regionName()).isEqualTo("nubo-1");
            assertThat(r.endpoint()).isEqualTo("127.0.0.1:" + cloud.api.port());
            assertThat(r.optInStatus()).isEqualTo("opt-in-not-required");
        });
        assertThat(ec2.describeRegions(b -> b.regionNames("nubo-1").allRegions(true)).regions()).hasSize(1);
        assertThat(ec2.describeRegions(b -> b.filters(f -> f.name("region-name").values("us-*"))).regions()).isEmpty();
        var zones = ec2.describeAvailabilityZones().availabilityZones();
        assertThat(zones).singleElement().satisfies(z -> {
            assertThat(z.zoneName()).isEqualTo("nubo-1a");
            assertThat(z.zoneId()).isEqualTo("nubo1-az1");
            assertThat(z.regionName()).isEqualTo("nubo-1");
            assertThat(z.stateAsString()).isEqualTo("available");
        });
        assertThat(ec2.describeAvailabilityZones(b -> b.zoneIds("nubo1-az1")).availabilityZones()).hasSize(1);
        assertThat(ec2.describeAvailabilityZones(b -> b.filters(f -> f.name("state").values("available"))).availabilityZones()).hasSize(1);
        rejects("InvalidParameterValue", () -> ec2.describeRegions(b -> b.regionNames("us-east-1")));
        rejects("InvalidParameterValue", () -> ec2.describeAvailabilityZones(b -> b.zoneNames("nubo-1z")));
        rejects("InvalidParameterValue", () -> ec2.describeAvailabilityZones(b -> b.zoneIds("use1-az1")));
        rejects("InvalidParameterValue", () -> ec2.describeAvailabilityZones(b -> b.filters(f -> f.name("colour").values("x"))));
    }

    @Test
    void accountAttributesNameTheDefaultVpcAndTheQuota() {
        Map<String, List<String>> attributes = tenantEc2.describeAccountAttributes().accountAttributes().stream()
                .collect(Collectors.toMap(AccountAttribute::attributeName, a -> a.attributeValues().stream().map(v -> v.attributeValue()).toList()));
        assertThat(attributes.get("supported-platforms")).containsExactly("VPC");
        assertThat(attributes.get("default-vpc")).containsExactly(tenantEc2.describeVpcs().vpcs().get(0).vpcId());
        assertThat(attributes.get("max-instances")).containsExactly("100");
        assertThat(tenantEc2.describeAccountAttributes(b -> b.attributeNames(AccountAttributeName.DEFAULT_VPC)).accountAttributes()).hasSize(1);
        rejects("InvalidParameterValue", () -> ec2.describeAccountAttributes(b -> b.attributeNamesWithStrings("max-elephants")));
    }

    @Test
    void instanceTypesComeFromTheCatalogueWithVcpuAndMemory() {
        List<InstanceTypeInfo> all = ec2.describeInstanceTypesPaginator(b -> b.maxResults(5)).instanceTypes().stream().toList();
        assertThat(all).extracting(t -> t.instanceTypeAsString()).contains("t3.nano", "m5.4xlarge").doesNotHaveDuplicates().hasSize(10);
        InstanceTypeInfo micro = ec2.describeInstanceTypes(b -> b.instanceTypesWithStrings("t3.micro")).instanceTypes().get(0);
        assertThat(micro.vCpuInfo().defaultVCpus()).isEqualTo(2);
        assertThat(micro.memoryInfo().sizeInMiB()).isEqualTo(1024L);
        assertThat(micro.processorInfo().supportedArchitecturesAsStrings()).containsExactly("x86_64");
        assertThat(ec2.describeInstanceTypes(b -> b.filters(f -> f.name("vcpu-info.default-vcpus").values("4"))).instanceTypes())
                .extracting(t -> t.instanceTypeAsString()).containsExactlyInAnyOrder("t3.xlarge", "m5.xlarge");
        assertThat(ec2.describeInstanceTypes(b -> b.filters(f -> f.name("instance-type").values("m5.*"),
                f -> f.name("memory-info.size-in-mib").values("8192"))).instanceTypes()).hasSize(1);
        rejects("InvalidInstanceType", () -> ec2.describeInstanceTypes(b -> b.instanceTypesWithStrings("t9.huge")));
        rejects("InvalidParameterValue", () -> ec2.describeInstanceTypes(b -> b.maxResults(101)));
        rejects("InvalidParameterValue", () -> ec2.describeInstanceTypes(b -> b.filters(f -> f.name("colour").values("x"))));
    }

    @Test
    void imagesAreDescribedByIdOwnerExecutableByAndFilters() {
        assertThat(tenantEc2.describeImages().images()).extracting(i -> i.imageId()).containsExactlyInAnyOrder(cloud.imageId, tenantImage);
        assertThat(ec2.describeImages().images()).extracting(i -> i.imageId()).containsExactly(cloud.imageId);
        assertThat(tenantEc2.describeImages(b -> b.owners("self")).images()).extracting(i -> i.imageId()).containsExactly(tenantImage);
        assertThat(tenantEc2.describeImages(b -> b.owners("nubo")).images()).extracting(i -> i.imageId()).containsExactly(cloud.imageId);
        assertThat(tenantEc2.describeImages(b -> b.owners(tenant.accountId())).images()).hasSize(1);
        assertThat(tenantEc2.describeImages(b -> b.executableUsers("all")).images()).extracting(i -> i.imageId()).containsExactly(cloud.imageId);
        assertThat(tenantEc2.describeImages(b -> b.executableUsers("self")).images()).hasSize(2);
        assertThat(tenantEc2.describeImages(b -> b.imageIds(tenantImage)).images().get(0).ownerId()).isEqualTo(tenant.accountId());
        assertThat(tenantEc2.describeImages(b -> b.filters(f -> f.name("name").values("tenant-*"), f -> f.name("is-public").values("false")))
                .images()).hasSize(1);
        assertThat(tenantEc2.describeImagesPaginator(b -> b.maxResults(1)).images().stream().count()).isEqualTo(2);
        var image = ec2.describeImages(b -> b.imageIds(cloud.imageId)).images().get(0);
        assertThat(image.imageOwnerAlias()).isEqualTo("nubo");
        assertThat(image.stateAsString()).isEqualTo("available");
        assertThat(image.publicLaunchPermissions()).isTrue();
        Ec2Sdk.waiter(ec2).waitUntilImageAvailable(b -> b.imageIds(cloud.imageId));
        rejects("InvalidAMIID.Malformed", () -> ec2.describeImages(b -> b.imageIds("ami-zz")));
        rejects("InvalidAMIID.NotFound", () -> ec2.describeImages(b -> b.imageIds(tenantImage)));
        rejects("InvalidParameterValue", () -> ec2.describeImages(b -> b.owners("somebody")));
        rejects("InvalidParameterValue", () -> ec2.describeImages(b -> b.filters(f -> f.name("colour").values("x"))));
    }

    @Test
    void aTenantDeregistersItsOwnImagesOnly() throws Exception {
        String doomed = Ids.next(Ids.IMAGE);
        cloud.db.inTransaction(s -> {
            s.images().insert(new Image(doomed, "doomed", "", tenant.accountId(), false, "available", "qcow2", "/x.qcow2", "x86_64",
                    Instant.now()));
            return null;
        });
        rejects("UnauthorizedOperation", () -> tenantEc2.deregisterImage(b -> b.imageId(cloud.imageId)));
        rejects("UnauthorizedOperation", () -> ec2.deregisterImage(b -> b.imageId(cloud.imageId)));
        rejects("InvalidAMIID.NotFound", () -> ec2.deregisterImage(b -> b.imageId(doomed)));
        rejects("InvalidAMIID.Malformed", () -> tenantEc2.deregisterImage(b -> b.imageId("image-1")));
        rejects("MissingParameter", () -> tenantEc2.deregisterImage(b -> { }));
        assertThat(tenantEc2.deregisterImage(b -> b.imageId(doomed)).returnValue()).isTrue();
        rejects("InvalidAMIID.NotFound", () -> tenantEc2.describeImages(b -> b.imageIds(doomed)));
        rejects("InvalidAMIID.NotFound", () -> tenantEc2.runInstances(b -> b.imageId(doomed).minCount(1).maxCount(1)));
        rejects("InvalidAMIID.NotFound", () -> tenantEc2.deregisterImage(b -> b.imageId(doomed)));
    }

    @Test
    void everyAccountHasADefaultVpcWithADefaultSubnetPerZone() {
        Vpc vpc = tenantEc2.describeVpcs().vpcs().get(0);
        assertThat(vpc.vpcId()).matches("vpc-[0-9a-f]{17}");
        assertThat(vpc.isDefault()).isTrue();
        assertThat(vpc.cidrBlock()).isEqualTo("172.31.0.0/16");
        assertThat(vpc.ownerId()).isEqualTo(tenant.accountId());
        assertThat(vpc.stateAsString()).isEqualTo("available");
        assertThat(ec2.describeVpcs().vpcs().get(0).vpcId()).as("each account its own").isNotEqualTo(vpc.vpcId());
        Subnet subnet = tenantEc2.describeSubnets().subnets().get(0);
        assertThat(subnet.vpcId()).isEqualTo(vpc.vpcId());
        assertThat(subnet.availabilityZone()).isEqualTo("nubo-1a");
        assertThat(subnet.defaultForAz()).isTrue();
        assertThat(subnet.cidrBlock()).isEqualTo("172.31.0.0/20");
        assertThat(subnet.availableIpAddressCount()).isEqualTo(4091);
        assertThat(tenantEc2.describeVpcs(b -> b.vpcIds(vpc.vpcId()).filters(f -> f.name("is-default").values("true"))).vpcs()).hasSize(1);
        assertThat(tenantEc2.describeSubnets(b -> b.filters(f -> f.name("vpc-id").values(vpc.vpcId()),
                f -> f.name("default-for-az").values("true"), f -> f.name("availability-zone").values("nubo-1a"))).subnets()).hasSize(1);
        Ec2Sdk.waiter(tenantEc2).waitUntilVpcAvailable(b -> b.vpcIds(vpc.vpcId()));
        Ec2Sdk.waiter(tenantEc2).waitUntilSubnetAvailable(b -> b.subnetIds(subnet.subnetId()));
        String instance = tenantEc2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1).subnetId(subnet.subnetId()))
                .instances().get(0).instanceId();
        assertThat(tenantEc2.describeInstances(b -> b.instanceIds(instance)).reservations().get(0).instances().get(0).subnetId())
                .isEqualTo(subnet.subnetId());
        rejects("InvalidVpcID.Malformed", () -> tenantEc2.describeVpcs(b -> b.vpcIds("vpc-x")));
        rejects("InvalidVpcID.NotFound", () -> tenantEc2.describeVpcs(b -> b.vpcIds("vpc-0123456789abcdef0")));
        rejects("InvalidSubnetID.Malformed", () -> tenantEc2.describeSubnets(b -> b.subnetIds("subnet-x")));
        rejects("InvalidSubnetID.NotFound", () -> tenantEc2.describeSubnets(b -> b.subnetIds("subnet-0123456789abcdef0")));
        rejects("InvalidParameterValue", () -> tenantEc2.describeSubnets(b -> b.filters(f -> f.name("colour").values("x"))));
        rejects("InvalidParameterValue", () -> tenantEc2.describeVpcs(b -> b.maxResults(1)));
    }
}
