package io.nubo.api.ec2;

import io.nubo.api.TestCloud;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.InstanceType;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Throttling through the real SDK, on a cloud whose rates are a hundredth of EC2's: a bucket of
 * one request (refilled every five seconds), and of ten launched instances.
 */
class Ec2ThrottlingSdkTest {
    static TestCloud cloud;
    static Ec2Client admin;
    static Ec2Client other;

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud(64, 64 * 1024, new Ec2Throttle(0.01));
        admin = Ec2Sdk.client(cloud, cloud.admin);
        other = Ec2Sdk.client(cloud, cloud.tenant("throttled-other"));
    }

    @AfterAll
    static void stop() {
        admin.close();
        other.close();
        cloud.close();
    }

    @Test
    void anEmptyBucketAnswersRequestLimitExceededUntilItRefills() {
        admin.describeVolumes(b -> b.maxResults(5));
        Ec2Exception e = Ec2Sdk.fails("RequestLimitExceeded", () -> admin.describeVolumes(b -> b.maxResults(5)));
        assertThat(e.statusCode()).isEqualTo(503);
        // Another account has its own bucket, and so has another action.
        other.describeVolumes(b -> b.maxResults(5));
        admin.describeKeyPairs();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreException(Ec2Exception.class)
                .until(() -> admin.describeVolumes(b -> b.maxResults(5)) != null);
    }

    @Test
    void aLaunchOverTheInstanceBucketLaunchesNothing() {
        String before = Ec2Sdk.settledSnapshot(cloud);
        Ec2Sdk.fails("RequestLimitExceeded", () -> admin.runInstances(b -> b.imageId(cloud.imageId).instanceType(InstanceType.T3_NANO)
                .minCount(1).maxCount(11)));
        assertThat(Ec2Sdk.settledSnapshot(cloud)).isEqualTo(before);
    }
}
