package io.nubo.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.nubo.core.agent.DesiredState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class KeyPairTest {
    static TestCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud();
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    /** What OpenSSH's own ssh-keygen derives from the private key we handed out. */
    private static String publicKeyOf(String pem, Path dir) throws Exception {
        Path f = dir.resolve("key-" + System.nanoTime());
        Files.writeString(f, pem);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        Process p = new ProcessBuilder("ssh-keygen", "-y", "-f", f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void createdPrivateKeysAreReadableByOpenSshAndMatchTheStoredPublicKey(@TempDir Path dir) throws Exception {
        for (String type : new String[]{"ed25519", "rsa"}) {
            TestCloud.Reply r = cloud.call(cloud.admin, "POST", "/api/v1/key-pairs", "{\"keyName\":\"k-" + type + "\",\"keyType\":\"" + type + "\"}");
            assertThat(r.status()).isEqualTo(201);
            String derived = publicKeyOf(r.json().path("keyMaterial").asText(), dir);
            JsonNode stored = cloud.call(cloud.admin, "GET", "/api/v1/key-pairs/k-" + type, null).json();
            assertThat(stored.path("publicKey").asText()).startsWith(derived.split(" ")[0] + " " + derived.split(" ")[1]);
            assertThat(stored.has("keyMaterial")).isFalse();
            assertThat(stored.path("keyFingerprint").asText()).isNotBlank();
        }
    }

    @Test
    void importedKeysAreValidatedAndNamesAreUnique(@TempDir Path dir) throws Exception {
        Process gen = new ProcessBuilder("ssh-keygen", "-t", "ed25519", "-N", "", "-q", "-f", dir.resolve("id").toString()).start();
        assertThat(gen.waitFor()).isZero();
        String pub = Files.readString(dir.resolve("id.pub")).trim();
        TestCloud.Reply ok = cloud.call(cloud.admin, "POST", "/api/v1/key-pairs/import",
                "{\"keyName\":\"mine\",\"publicKeyMaterial\":\"" + pub + "\"}");
        assertThat(ok.status()).isEqualTo(201);
        assertThat(ok.json().path("keyType").asText()).isEqualTo("ed25519");

        String before = cloud.snapshot();
        for (String bad : new String[]{"hello", "ssh-ed25519", "ssh-ed25519 !!!notbase64", "ssh-rsa " + pub.split(" ")[1],
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAAQE=", "ssh-dss AAAAB3NzaC1kc3MAAAA=", pub + "\\nssh-ed25519 AAAA"}) {
            TestCloud.Reply r = cloud.call(cloud.admin, "POST", "/api/v1/key-pairs/import",
                    "{\"keyName\":\"bad\",\"publicKeyMaterial\":\"" + bad + "\"}");
            assertThat(r.code()).as(bad).isEqualTo("InvalidKey.Format");
        }
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/key-pairs/import", "{\"keyName\":\"mine\",\"publicKeyMaterial\":\"" + pub + "\"}").code())
                .isEqualTo("InvalidKeyPair.Duplicate");
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/key-pairs", "{\"keyName\":\"mine\"}").code()).isEqualTo("InvalidKeyPair.Duplicate");
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/key-pairs", "{\"keyName\":\"x\",\"keyType\":\"dsa\"}").code()).isEqualTo("InvalidParameterValue");
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/key-pairs", "{}").code()).isEqualTo("MissingParameter");
        assertThat(cloud.snapshot()).isEqualTo(before);
        assertThat(cloud.call(cloud.admin, "DELETE", "/api/v1/key-pairs/mine", null).status()).isEqualTo(200);
        assertThat(cloud.call(cloud.admin, "GET", "/api/v1/key-pairs/mine", null).code()).isEqualTo("InvalidKeyPair.NotFound");
    }

    @Test
    void aLaunchCarriesTheKeyToTheHostAndAnUnknownKeyIsRejected() {
        TestCloud.Reply k = cloud.call(cloud.admin, "POST", "/api/v1/key-pairs", "{\"keyName\":\"launch\",\"keyType\":\"ed25519\"}");
        String publicKey = cloud.call(cloud.admin, "GET", "/api/v1/key-pairs/launch", null).json().path("publicKey").asText();
        assertThat(k.status()).isEqualTo(201);
        String before = cloud.snapshot();
        TestCloud.Reply unknown = cloud.call(cloud.admin, "POST", "/api/v1/instances",
                "{\"imageId\":\"" + cloud.imageId + "\",\"keyName\":\"nope\"}");
        assertThat(unknown.code()).isEqualTo("InvalidKeyPair.NotFound");
        assertThat(cloud.snapshot()).isEqualTo(before);

        TestCloud.Reply r = cloud.call(cloud.admin, "POST", "/api/v1/instances",
                "{\"imageId\":\"" + cloud.imageId + "\",\"instanceType\":\"t3.nano\",\"keyName\":\"launch\"}");
        String id = r.json().path("instances").get(0).path("instanceId").asText();
        assertThat(r.json().path("instances").get(0).path("keyName").asText()).isEqualTo("launch");
        String host = cloud.agent.hostId().orElseThrow();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            DesiredState d = cloud.cp.agents().awaitDesired(host, -1, Duration.ZERO);
            return d.instances().stream().anyMatch(i -> i.instanceId().equals(id) && publicKey.equals(i.publicKey()));
        });
        cloud.awaitState(cloud.admin, id, "running");
        String console = cloud.call(cloud.admin, "GET", "/api/v1/instances/" + id + "/console", null).json().path("output").asText();
        assertThat(console).contains("NUBO-GUEST-READY " + id);
        assertThat(cloud.call(cloud.admin, "GET", "/api/v1/instances/" + id + "/console?bytes=0", null).code()).isEqualTo("InvalidParameterValue");
    }
}
