package io.nubo.api.ec2;

import io.nubo.api.TestCloud;
import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.waiters.Ec2Waiter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The real AWS SDK for Java v2 against a {@link TestCloud}: clients, fast waiters, expected
 * errors, and raw requests signed by the SDK's own SigV4 signer.
 */
final class Ec2Sdk {
    static final Region REGION = Region.of("nubo-1");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Ec2Sdk() {
    }

    /**
     * The cloud's fingerprint once no instance is between states, so that a later snapshot differs
     * only if a request changed something.
     */
    static String settledSnapshot(TestCloud cloud) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> cloud.db.jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM instances WHERE state IN ('pending', 'stopping', 'shutting-down')").mapTo(Long.class).one()) == 0);
        return cloud.snapshot();
    }

    static URI endpoint(TestCloud cloud) {
        return URI.create("http://127.0.0.1:" + cloud.api.port());
    }

    /** A client that does not retry, so that every error reaches the test. */
    static Ec2Client client(TestCloud cloud, NewAccessKey key) {
        return Ec2Client.builder()
                .endpointOverride(endpoint(cloud))
                .region(REGION)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey())))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    /** The SDK's waiters, polling every 100 ms instead of every 15 s. */
    static Ec2Waiter waiter(Ec2Client client) {
        return Ec2Waiter.builder().client(client).overrideConfiguration(WaiterOverrideConfiguration.builder()
                .backoffStrategyV2(BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(100))).maxAttempts(300).build()).build();
    }

    /** Runs {@code call}, which must fail with EC2 error {@code code}; returns the error. */
    static Ec2Exception fails(String code, Executable call) {
        Ec2Exception e = assertThrows(Ec2Exception.class, call);
        assertThat(e.awsErrorDetails().errorCode()).as(e.getMessage()).isEqualTo(code);
        assertThat(e.awsErrorDetails().errorMessage()).isNotBlank();
        return e;
    }

    /** Runs {@code call}, which must fail with client error {@code code} and change nothing in the cloud. */
    static void rejects(TestCloud cloud, String code, Executable call) {
        String before = settledSnapshot(cloud);
        Ec2Exception e = fails(code, call);
        assertThat(e.statusCode()).as(code).isBetween(400, 499);
        assertThat(cloud.snapshot()).as("nothing changed after %s", code).isEqualTo(before);
    }

    /** A raw HTTP answer. */
    record Raw(int status, String body, java.net.http.HttpHeaders headers) {
    }

    /** Sends {@code body} (form-encoded parameters) to {@code POST /}, signed by the SDK's signer as of {@code at}. */
    static Raw post(TestCloud cloud, NewAccessKey key, String body, Instant at) {
        return post(cloud, key, body, at, "application/x-www-form-urlencoded; charset=utf-8");
    }

    static Raw post(TestCloud cloud, NewAccessKey key, String body, Instant at, String contentType) {
        URI uri = endpoint(cloud);
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(uri)
                .putHeader("Content-Type", contentType).build();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r.identity(AwsBasicCredentials.create(key.accessKeyId(),
                        key.secretAccessKey())).request(request).payload(() -> new ByteArrayInputStream(bytes))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ec2").putProperty(AwsV4HttpSigner.REGION_NAME, "nubo-1")
                .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        signed.request().headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                values.forEach(v -> b.header(name, v));
            }
        });
        return send(b.build());
    }

    static Raw post(TestCloud cloud, NewAccessKey key, String body) {
        return post(cloud, key, body, Instant.now());
    }

    /** A presigned {@code GET /?query} URL, made by the SDK's signer with the signature in the query string. */
    static URI presign(TestCloud cloud, NewAccessKey key, String query, Instant at, Duration expires) {
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(URI.create(endpoint(cloud) + "/?" + query)).build();
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r.identity(AwsBasicCredentials.create(key.accessKeyId(),
                        key.secretAccessKey())).request(request)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ec2").putProperty(AwsV4HttpSigner.REGION_NAME, "nubo-1")
                .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, expires)
                .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)));
        return signed.request().getUri();
    }

    static Raw get(URI uri) {
        return send(HttpRequest.newBuilder(uri).GET().build());
    }

    static Raw unsigned(TestCloud cloud, String method, String body, Optional<String> contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint(cloud)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        contentType.ifPresent(t -> b.header("Content-Type", t));
        return send(b.build());
    }

    private static Raw send(HttpRequest r) {
        try {
            HttpResponse<String> response = HTTP.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Raw(response.statusCode(), response.body(), response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
