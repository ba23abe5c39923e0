package io.nubo.api.ec2;

import io.nubo.api.TestCloud;
import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The wire protocol itself, with raw HTTP requests signed by the SDK's SigV4 signer. */
class Ec2ProtocolTest {
    static final String NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
    static TestCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud();
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    static void assertError(Ec2Sdk.Raw r, int status, String code) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/xml");
        assertThat(r.body()).contains("<Response><Errors><Error><Code>" + code + "</Code><Message>")
                .contains("</Message></Error></Errors><RequestID>").doesNotContain("<Type>").doesNotContain("xmlns");
    }

    @Test
    void answersAreNamespacedXmlWithTheRequestIdAndAnAccurateDate() {
        Ec2Sdk.Raw r = Ec2Sdk.post(cloud, cloud.admin, "Action=DescribeRegions&Version=2016-11-15");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/xml");
        String requestId = r.headers().firstValue("x-nubo-request-id").orElseThrow();
        assertThat(r.body()).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeRegionsResponse xmlns=\"" + NS + "\">"
                + "<requestId>" + requestId + "</requestId><regionInfo><item><regionName>nubo-1</regionName>");
        Instant date = ZonedDateTime.parse(r.headers().firstValue("date").orElseThrow(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        assertThat(date).isCloseTo(Instant.now(), within(Duration.ofMinutes(1)));
    }

    @Test
    void timestampsHaveMillisecondsAndListsHaveItemsAndBooleansAreWords() {
        Ec2Sdk.Raw r = Ec2Sdk.post(cloud, cloud.admin, "Action=DescribeImages&Version=2016-11-15");
        assertThat(r.body()).containsPattern("<creationDate>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z</creationDate>")
                .contains("<imagesSet><item>").contains("<isPublic>true</isPublic>");
    }

    @Test
    void errorsUseEc2sShapeAndCodes() {
        Ec2Sdk.Raw r = Ec2Sdk.post(cloud, cloud.admin, "Action=FlyToTheMoon&Version=2016-11-15");
        assertError(r, 400, "InvalidAction");
        assertThat(r.body()).contains("<RequestID>" + r.headers().firstValue("x-nubo-request-id").orElseThrow() + "</RequestID>");
        assertError(Ec2Sdk.post(cloud, cloud.admin, "Version=2016-11-15"), 400, "MissingParameter");
        assertError(Ec2Sdk.post(cloud, cloud.admin, "Action=DescribeRegions"), 400, "MissingParameter");
        assertError(Ec2Sdk.post(cloud, cloud.admin, "Action=DescribeRegions&Version=2014-02-01"), 400, "NoSuchVersion");
        assertError(Ec2Sdk.post(cloud, cloud.admin, "Action=DescribeRegions&Version=2016-11-15&Colour=red"), 400, "UnknownParameter");
        assertError(Ec2Sdk.post(cloud, cloud.admin, "Action=DescribeRegions&Version=2016-11-15&DryRun=true"), 412, "DryRunOperation");
        assertError(Ec2Sdk.post(cloud, cloud.admin, "Action=DescribeRegions&Version=2016-11-15&Action=RunInstances"), 400,
                "InvalidParameterValue");
        assertError(Ec2Sdk.post(cloud, cloud.admin, "Action=DescribeRegions&Version=2016-11-15&RegionName.1=%E0%A4"), 400, "InvalidRequest");
        assertError(Ec2Sdk.post(cloud, cloud.admin, "Action=DescribeRegions&Version=2016-11-15&RegionName.1=%zz"), 400, "InvalidRequest");
    }

    @Test
    void anOversizedBodyIsRefusedInEc2sShapeToo() {
        String body = "Action=DescribeRegions&Version=2016-11-15&RegionName.1=" + "x".repeat(70_000);
        Ec2Sdk.Raw r = Ec2Sdk.post(cloud, cloud.admin, body);
        assertError(r, 413, "RequestEntityTooLarge");
    }

    @Test
    void presignedGetUrlsWorkUntilTheyExpire() {
        URI url = Ec2Sdk.presign(cloud, cloud.admin, "Action=DescribeAvailabilityZones&Version=2016-11-15", Instant.now(), Duration.ofMinutes(5));
        assertThat(url.getRawQuery()).contains("X-Amz-Signature=");
        Ec2Sdk.Raw ok = Ec2Sdk.get(url);
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body()).contains("<zoneName>nubo-1a</zoneName>");

        URI old = Ec2Sdk.presign(cloud, cloud.admin, "Action=DescribeAvailabilityZones&Version=2016-11-15",
                Instant.now().minus(Duration.ofHours(2)), Duration.ofHours(1));
        assertError(Ec2Sdk.get(old), 400, "RequestExpired");
        URI tampered = URI.create(url.toString().replace("DescribeAvailabilityZones", "DescribeRegions"));
        assertError(Ec2Sdk.get(tampered), 401, "AuthFailure");
    }

    @Test
    void everyKindOfBadCredentialIsAnAuthFailure() {
        String describe = "Action=DescribeRegions&Version=2016-11-15";
        assertError(Ec2Sdk.unsigned(cloud, "POST", describe, Optional.of("application/x-www-form-urlencoded")), 401, "AuthFailure");
        assertError(Ec2Sdk.unsigned(cloud, "GET", null, Optional.empty()), 401, "AuthFailure");
        NewAccessKey admin = cloud.admin;
        assertError(Ec2Sdk.post(cloud, new NewAccessKey(admin.accessKeyId(), "not-the-secret", admin.accountId()), describe), 401, "AuthFailure");
        assertError(Ec2Sdk.post(cloud, new NewAccessKey("NKAAAAAAAAAAAAAAAAAA", admin.secretAccessKey(), admin.accountId()), describe),
                401, "AuthFailure");

        NewAccessKey revoked = cloud.tenant("revoked-tenant");
        assertThat(Ec2Sdk.post(cloud, revoked, describe).status()).isEqualTo(200);
        assertThat(cloud.call(admin, "POST", "/api/v1/access-keys/" + revoked.accessKeyId() + "/revoke", "{}").status()).isEqualTo(200);
        assertError(Ec2Sdk.post(cloud, revoked, describe), 401, "AuthFailure");

        NewAccessKey disabled = cloud.tenant("disabled-tenant");
        assertThat(Ec2Sdk.post(cloud, disabled, describe).status()).isEqualTo(200);
        assertThat(cloud.call(admin, "POST", "/api/v1/accounts/" + disabled.accountId() + "/disable", "{}").status()).isEqualTo(200);
        assertError(Ec2Sdk.post(cloud, disabled, describe), 401, "AuthFailure");
    }

    @Test
    void aSignatureOlderOrNewerThanFifteenMinutesIsExpired() {
        String describe = "Action=DescribeRegions&Version=2016-11-15";
        assertThat(Ec2Sdk.post(cloud, cloud.admin, describe, Instant.now().minus(Duration.ofMinutes(14))).status()).isEqualTo(200);
        assertError(Ec2Sdk.post(cloud, cloud.admin, describe, Instant.now().minus(Duration.ofMinutes(16))), 400, "RequestExpired");
        assertError(Ec2Sdk.post(cloud, cloud.admin, describe, Instant.now().plus(Duration.ofMinutes(16))), 400, "RequestExpired");
    }

    @Test
    void theBodyMustBeAForm() {
        assertError(Ec2Sdk.post(cloud, cloud.admin, "{\"Action\":\"DescribeRegions\"}", Instant.now(), "application/json"), 400,
                "InvalidRequest");
        assertThat(Ec2Sdk.post(cloud, cloud.admin, "Action=DescribeRegions&Version=2016-11-15").status()).isEqualTo(200);
    }
}
