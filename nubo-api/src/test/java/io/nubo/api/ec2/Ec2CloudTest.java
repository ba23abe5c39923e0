package io.nubo.api.ec2;

import io.nubo.api.TestCloud;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** The shared set-up of the SDK tests: one cloud per test class, and an SDK client with the admin's key. */
abstract class Ec2CloudTest {
    static TestCloud cloud;
    static Ec2Client ec2;

    @BeforeAll
    static void startCloud() throws Exception {
        cloud = new TestCloud();
        ec2 = Ec2Sdk.client(cloud, cloud.admin);
    }

    @AfterAll
    static void stopCloud() {
        ec2.close();
        cloud.close();
    }
}
